"""Upward feedback: employees answer a short questionnaire about their leader as a
leader, in the MUS round, and the leader, the leaders above them and HR see only
aggregates. No one, HR and the database's readers included, can see one person's
answers, nor work them out by comparing pages or a page before and after an answer.

The questionnaire
-----------------
HR edits the statements (`UpwardQuestion`); each is answered on a scale of 1 (helt
uenig) to 5 (helt enig), and every active statement must be answered: a statement some
skip would be built from fewer people than the others, and the difference between
two statements' counts would then be about the few who skipped. There is no free text:
words, spelling and the incidents someone describes identify them however many others
answered, and no count of answers protects that.

Who may answer whom, and when
-----------------------------
The period is the calendar year (the MUS round is yearly). An employee who has a
conversation (of any kind, not cancelled) with a leader in the current year may answer
about that leader once for the year. They are told before they send that the answers
cannot be changed: once stored, no one can find them again, so they cannot either.

Why an answer cannot be linked to the one who gave it
-----------------------------------------------------
Two tables, and nothing that joins them:

* `UpwardSubmission` (respondent, leader, year) says that someone answered, to stop a
  second answer. It holds no answer and no time.
* `UpwardAnswerCount` (leader, year, statement, value, count) holds counters, never an
  answer: an answer adds 1 to the counter of the value chosen for each statement. A
  counter is the same number whoever added to it and in whatever order, so no row, id,
  time or order in it belongs to one respondent.

The details that would still link them are closed off:

* The counter rows of a statement are created all five at once, before any is counted
  (in a fixed order, whatever was answered), so the ids do not tell which value the
  first respondent chose.
* Every submission updates every counter row of the leader and year, adding 1 to the
  chosen ones and 0 to the others, in one UPDATE. So no row's version (in PostgreSQL
  a row's `xmin`, the transaction that last wrote it) tells which counters that
  submission changed. The same UPDATE holds the rows' locks, so submissions about one
  leader are counted one after the other.
* The audit log records that the respondent submitted (actor and subject are the
  respondent), never what; the pages never show who has answered.

Answers are therefore not personal data about the respondent once counted (a leaver's
submission marker is deleted; their answers stay in the counters, which nothing links
to them). The marker is personal data: the respondent's export says "you answered the
feedback for leader X in year Y", without answers. The aggregates are about the leader,
whose export holds what their own page shows.

No figure from fewer than k answers, on any page, at any time
-------------------------------------------------------------
k is the kommune's `med_min_group_size`, as on the MED dashboards
(`annualcycle.dashboards.anonymity`).

* Per leader, year and statement, the pages read `published`, a copy of the counters
  taken when at least k answers have come in since the last copy
  (`released_statements`). So the first figure ever shown is about at least k people,
  and two figures shown at different times differ by at least k answers: the page
  after one more answer is the same page, and with k = 3, after a 4th answer the
  leader sees the figures of the first 3 until the 6th arrives, when 3 answers are
  added at once and none of them can be told from the others. (A statement HR adds
  in the middle of a batch simply starts its own count; its copy follows the same
  rule.) Answers waiting for the next copy are not shown, nor counted on any page.
* A figure is shown only if its n (the answers in its copy) is at least k *now*
  (`is_shown`), so raising k hides what a lower k had let through.
* The pages of a leader's leader and of HR show one row per leader and a total. The
  rows are hidden by `annualcycle.dashboards.anonymity.suppressed_rows` (no row of
  0 < n < k), and the total is the sum of the shown rows only: "total − shown rows"
  covers no one, so no complementary suppression is ever needed, and the total moves
  only when a shown row does, by at least k. A leader's own page and the rows of the
  pages above show the same copy, so nothing is learned by comparing them.

Showing aggregates of at least k answers does not hide what they all agree on (if every
answer is 5, each person answered 5): that is what an aggregate is, as on the
dashboards.
"""
