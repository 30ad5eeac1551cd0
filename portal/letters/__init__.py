"""The review record as a letter to the child: drafts, issued versions, actions and the plain-words glossary."""
