"""Demo-like children for the server benchmarks: `python -m benchmarks.seed COUNT [FIRST_AGE]`.

Run by benchmarks.harness in the portal's own environment (DATABASE_URL, LINK_HASH_KEY, BASE_URL), after
`flask db upgrade`. Makes a few IROs, then COUNT children, each with a planned review in about three weeks
and a fresh booklet link, and prints one JSON line: [{"index", "review_id", "age", "name", "path"}].
Ages run from FIRST_AGE upwards (8 to 16 by default: every booklet version from 4-11 has the 'good news' question).
"""

from __future__ import annotations

import json
import sys
from urllib.parse import urlsplit

NAMES = ("Amira", "Leo", "Maya", "Jordan", "Sam", "Ellie", "Kai", "Nia", "Zara", "Finn", "Priya", "Oscar",
         "Tia", "Reuben", "Lily", "Ayo", "Megan", "Dylan", "Hana", "Callum")


def main(count: int, first_age: int) -> list[dict]:
    from portal import create_app
    from portal.booklet.services import issue_booklet_link
    from portal.extensions import db
    from tests import factories

    app = create_app()
    out = []
    with app.app_context():
        team = factories.team("Bench team")
        iros = [factories.staff("iro", team=team, name=f"IRO {n + 1}") for n in range(min(5, max(1, count)))]
        for index in range(count):
            age = first_age + index % max(1, 17 - first_age)
            name = NAMES[index % len(NAMES)]
            child = factories.child(iros[index % len(iros)], age=age, preferred_name=name,
                                    pronouns=("she/her", "he/him", "they/them")[index % 3])
            review = factories.review(child, days_ahead=15 + index % 10)
            url, _short = issue_booklet_link(review)
            out.append({"index": index, "review_id": review.id, "age": age, "name": name,
                        "path": urlsplit(url).path})
        db.session.commit()
    return out


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 8)))
