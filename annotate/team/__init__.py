"""Work of many annotators: agreement, assignment plans, merging databases, evaluation."""
