"""The public figures kept at posting time (issue 21 §2): per organisation and calendar month,
money donated and spent and goods received and handed out; per organisation and year, the
households helped. The public pages read these small tables instead of a year of ledgers."""
