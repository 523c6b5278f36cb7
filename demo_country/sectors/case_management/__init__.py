"""Case management: social worker posts, child protection cases, referrals and helpline contacts
(``simulation``) and the rollout story they follow (``story``). Random streams 200-299: 200 posts,
201 cases, 202 referrals, 203 helpline contacts, 204 reassignments of cases when a worker leaves,
205 children who move district and workers covering a vacancy, 210-213 the invented names and
numbers of each feed."""
