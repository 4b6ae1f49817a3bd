"""Links between pdkit's pages (:mod:`pdkit.links`)."""

from __future__ import annotations

from pdkit.links import my_goal_link, opt_out_link, query_value, resume_link, sibling


def test_my_goal_and_opt_out_links() -> None:
    base = "https://pd.example.org/user/ana/"
    assert my_goal_link(base, "a+b/c") == (
        "https://pd.example.org/user/ana/voila/render/my-goal.ipynb?pdkit=a%2Bb%2Fc"
    )
    link = opt_out_link(base, "tok")
    assert query_value(link, "pdkit") == "tok"
    assert query_value(link, "reminders") == "off"


def test_a_resume_link_replaces_the_token_and_drops_the_fragment() -> None:
    page = "http://h/voila/render/goal-setting.ipynb?lang=es&pdkit=old#top"
    assert resume_link(page, "new") == "http://h/voila/render/goal-setting.ipynb?lang=es&pdkit=new"


def test_a_sibling_is_beside_the_page() -> None:
    page = "http://h/base/voila/render/goal-setting.ipynb?pdkit=x"
    assert (
        sibling(page, "my-goal.ipynb", "pdkit=x")
        == "http://h/base/voila/render/my-goal.ipynb?pdkit=x"
    )
    assert sibling("", "my-goal.ipynb") == "my-goal.ipynb"
