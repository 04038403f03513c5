"""The platform console: where the platform's operators, on the bare domain, open
kommuner, set their single sign-on and accessibility statement, invite each kommune's
first HR administrator, and close or reopen a kommune. Every change is written to the
operators' own log (`OperatorAction`).

Operators run the deployment, not the kommuner: the console shows no kommune's personal
data, only how many people a kommune has. The one name an operator ever types is that
of the HR administrator they invite, and it is not shown again."""
