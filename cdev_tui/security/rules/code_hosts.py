"""Code hosts and CI: GitHub, GitLab, Bitbucket, CircleCI, Travis, Buildkite."""

from __future__ import annotations

from cdev_tui.security.rules.base import EDGE_LEFT, EDGE_RIGHT, Rule, rule

RULES: tuple[Rule, ...] = (
    rule(
        "github-token",
        "GitHub token",
        "high",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        EDGE_LEFT + r"(gh[pousr]_[A-Za-z0-9]{36,251})" + EDGE_RIGHT,
        min_entropy=3.0,
    ),
    rule(
        "github-fine-grained-pat",
        "GitHub fine-grained personal access token",
        "high",
        ("github_pat_",),
        EDGE_LEFT + r"(github_pat_[A-Za-z0-9_]{80,255})" + EDGE_RIGHT,
        min_entropy=3.0,
    ),
    rule(
        "gitlab-pat",
        "GitLab personal access token",
        "high",
        ("glpat-",),
        EDGE_LEFT + r"(glpat-[A-Za-z0-9_-]{20,255}(?:\.[A-Za-z0-9_-]{1,64}){0,3})" + EDGE_RIGHT,
        min_entropy=3.0,
    ),
)
