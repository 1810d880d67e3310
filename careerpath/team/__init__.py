"""Working one caseload as a team through a git server (docs/team.md).

Modules:
    merge    the field-level three-way merge of case files (git's ``merge=careerpath`` driver)
    setup    registering the merge driver and the remote in a clone (``setup-merge``, ``remote set``)
    sync     ``careerpath sync``: fetch, rebase or merge, validate, push; what came in and went out
    server   the server's ``pre-receive`` check: incremental validation, access by role, no force-push
    purge    removing one case from the whole history (git-filter-repo) and the purge journal
    incremental  validating what a push or a sync changes, from git objects (time does not grow with the caseload)
    errors   TeamError, the one error type of team work: a message template and its arguments
"""
