"""The session rules without a window: revision counters (stale answers) and retype batching."""

from wbc_desktop.core.review.session import RetypeQueue, Revisions, live_ids


def test_an_answer_for_a_cell_touched_since_is_dropped():
    r = Revisions()
    r.new_analysis("a.png")
    sent = r.stamps("a.png", [1, 2])
    r.touch("a.png", [2])  # an undo (or a new stroke) reshaped cell 2 meanwhile
    assert r.current("a.png", {1: "x", 2: "y"}, sent) == {1: "x"}


def test_a_new_analysis_makes_every_earlier_answer_stale():
    r = Revisions()
    r.new_analysis("a.png")
    sent = r.stamps("a.png", [1])
    r.new_analysis("a.png")
    assert r.current("a.png", {1: "x"}, sent) == {}


def test_revisions_are_never_given_twice_even_after_forgetting_an_image():
    r = Revisions()
    first = r.new_analysis("a.png")
    sent = r.stamps("a.png", [1])
    r.forget("a.png")  # removed from the window ...
    assert r.current("a.png", {1: "x"}, sent) == {}
    second = r.new_analysis("a.png")  # ... opened again: a fresh revision, the old answer still stale
    assert second != first and r.current("a.png", {1: "x"}, sent) == {}


def test_touch_all_and_other_images_and_unsent_cells():
    r = Revisions()
    r.new_analysis("a.png")
    r.new_analysis("b.png")
    sent = r.stamps("a.png", [1, 2])
    r.touch("b.png", [1, 2])  # another image's edit changes nothing here
    assert r.current("a.png", {1: "x", 2: "y", 3: "z"}, sent) == {1: "x", 2: "y"}  # 3 was not asked
    r.touch_all("a.png")
    assert r.current("a.png", {1: "x", 2: "y"}, sent) == {}
    assert r.analysis("a.png") > 0 and r.analysis("c.png") == 0


def test_retype_queue_sends_one_request_and_batches_the_rest():
    q = RetypeQueue()
    assert q.add("a", [1], now=10.0)  # nothing in flight: send now
    ids, t0 = q.take("a", now=11.0)
    assert ids == {1} and t0 == 10.0
    q.sent("a")
    assert not q.add("a", [2], now=12.0) and not q.add("a", [3, 2], now=13.0)  # waiting together
    assert q.answered("a")  # the answer came: the waiting cells go next
    ids, t0 = q.take("a", now=14.0)
    assert ids == {2, 3} and t0 == 12.0  # latency from the wait's first edit
    q.sent("a")
    assert not q.answered("a") and q.add("a", [4], now=15.0)


def test_live_ids_keeps_the_cells_still_present():
    assert live_ids([3, 1, 7], [1, 2, 3]) == [3, 1]
