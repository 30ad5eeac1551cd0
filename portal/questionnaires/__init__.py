"""Questionnaire machinery shared by the booklet and the feedback forms: question sets as data
(schema), kinds of answer (kinds), reading and describing answers (answers), finding one's way
(navigation), the shape of an answer table (models) and one macro that draws any question
(templates/questionnaires/_question.html).

It imports no feature area; feature areas import it. A new questionnaire is a QuestionSet in its
own area, a model mixing in AnswerColumns, and a thin blueprint that calls read_posted and the
`draw_question` macro (tests/unit/test_questionnaires.py builds one).
"""
