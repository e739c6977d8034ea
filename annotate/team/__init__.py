"""Work of many reviewers: agreement, assignment plans, merging databases, evaluation."""
