"""The job lifecycle every worker shares: claim, keep the lease alive, finish, sweep."""
