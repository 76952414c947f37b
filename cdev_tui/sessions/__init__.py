"""Agent sessions: each agent's program in a tmux session of ours, its state, usage and cost."""
