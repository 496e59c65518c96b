"""An article's id: its content, unless it is a feed item, which is named by its feed
and guid (else its link), so a changed text is a newer version of the same article."""

from newstui.article import Article, content_id, record_id


def test_a_story_known_by_text_alone_is_named_by_its_content() -> None:
    story = Article(headline="Harbour reopens", body=("Boats are back.",))
    edited = Article(headline="Harbour reopens", body=("Boats are back at last.",))
    assert story.id == content_id(story) and not story.has_identity
    assert story.id != edited.id


def test_a_feed_item_keeps_its_id_when_its_text_changes() -> None:
    first = Article(headline="Harbour reopens", body=("Boats are back.",),
                    feed="http://127.0.0.1/feed.xml", guid="item-1")
    edited = Article(headline="Harbour reopens fully", body=("Every boat is back.",),
                     feed="http://127.0.0.1/feed.xml", guid="item-1")
    other_feed = Article(headline="Harbour reopens", body=("Boats are back.",),
                         feed="http://127.0.0.1/other.xml", guid="item-1")
    assert first.has_identity and first.id == edited.id == record_id(edited)
    assert first.id != other_feed.id


def test_an_item_without_a_guid_is_named_by_its_link() -> None:
    a = Article(headline="A", body=("x",), feed="http://h/f", url="http://h/a")
    b = Article(headline="B", body=("y",), feed="http://h/f", url="http://h/a")
    assert a.id == b.id


def test_link_fields_round_trip_and_are_left_out_when_unset() -> None:
    item = Article(headline="A", body=("x",), feed="http://h/f", guid="g", url="http://h/a",
                   author="Jo Bloggs")
    record = item.to_record()
    assert record["author"] == "Jo Bloggs" and record["guid"] == "g"
    assert Article.from_record(record) == item
    plain = Article(headline="A", body=("x",)).to_record()
    assert not {"url", "feed", "guid", "author"} & plain.keys()
