"""Evaluation: judges, scorecards with uncertainty, evaluations of runs, leaderboard, comparison."""
