"""Texts and label names are untrusted; HTML in them shows literally and runs
nothing (no element created, no dialog, no script)."""

import pytest
from dmw import MapView

pytestmark = pytest.mark.browser

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>window.__pwned=1</script>"
NAMES = ["<b>no</b>", "<img src=y onerror=alert(2)>"]


def test_html_in_texts_and_label_names_is_shown_literally(wnb):
    view = MapView.show(
        wnb,
        (
            "N = 60\n"
            "rng = np.random.default_rng(2)\n"
            f"texts = [{IMG!r}, {SCRIPT!r}] + [f'plain {{i}}' for i in range(2, N)]\n"
            "labels = np.array([0, 1] + [1] * (N - 2))\n"
            f"w = DataMapWidget(texts=texts, labels=labels, label_names={NAMES!r})\n"
            "P = [rng.uniform(0.9, 0.99, N) for _ in range(3)]\n"
            "for e, (a, b) in enumerate([(0.9, 0.6), (0.1, 0.8), (0.9, 0.7)]):\n"
            "    P[e][0], P[e][1] = a, b   # p(class 1): points 0 and 1 land apart from the rest\n"
            "for p in P:\n"
            "    w.log_epoch(p)\n"
            "w"
        ),
    )
    view.wait_epoch_text("Epoch 3 / 3")
    view.wait_transition_done(after=0)
    for i, text in [(0, IMG), (1, SCRIPT)]:
        x, y = view.client_xy(i)
        wnb.page.mouse.click(x, y)
        view.wait_for("h.selectedIndex() === arg", i, timeout=5)
        assert view.text_of(".dmw-text") == text
        assert view.text_of(".dmw-gold").strip() == NAMES[[0, 1][i]]
        assert view.text_of(".dmw-pred").split(" (")[0].strip() in NAMES
        view.shot(f"payload-{i}")
    wnb.page.wait_for_timeout(500)  # give an injected onerror / script time to fire
    created = view.call("h.el.querySelectorAll('img, script, b').length")
    assert created == 0, f"{created} elements created from texts or label names"
    assert wnb.page.evaluate("() => typeof window.__pwned") == "undefined"
    assert wnb.dialogs == [], f"a dialog fired: {wnb.dialogs}"


def test_html_label_names_in_label_picker(wnb):
    view = MapView.show(
        wnb,
        (
            "N = 40\n"
            "rng = np.random.default_rng(4)\n"
            f"names = [{IMG!r}, 'plain']\n"
            "w = DataMapWidget(texts=[f'x{i}' for i in range(N)], labels=rng.integers(0, 2, (N, 2)),\n"
            "                  label_names=names, task='multilabel')\n"
            "w.log_epoch(rng.uniform(0, 1, (N, 2)))\n"
            "w"
        ),
    )
    view.wait_epoch_text("Epoch 1 / 1")
    options = view.part(".dmw-label-select").evaluate(
        "s => Array.from(s.options).map(o => [o.textContent, o.value, o.children.length])"
    )
    assert options == [[IMG, IMG, 0], ["plain", "plain", 0]]
    wnb.page.wait_for_timeout(300)
    assert view.call("h.el.querySelectorAll('img, script').length") == 0
    assert wnb.dialogs == []
