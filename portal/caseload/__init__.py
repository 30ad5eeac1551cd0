"""The caseload: an IRO's children as one table with a Today list, and the manager's view of a team or the
service. A reading layer over every area; nothing imports it."""
