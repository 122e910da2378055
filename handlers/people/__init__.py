"""People and panels: the coordinator's roster, removing someone, a member's own data
(/mydata, /forgetme, /leave) and the admin's panel and invite commands."""
