"""Reading sources: the bytes read are the file's, whatever its stat said."""

from generator.loading import _read


def test_a_file_grown_since_its_stat_is_read_to_the_end(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(b"---\ntitle: A\n---\n" + b"Tekst. " * 20_000)
    stat, data = _read(str(path), (10, 1))  # as stat'ed when it was 10 bytes long
    assert data == path.read_bytes()
    assert stat == (10, 1)


def test_a_new_file_is_stated_and_read_whole(tmp_path):
    path = tmp_path / "b.md"
    path.write_bytes(b"x" * 70_000)
    stat, data = _read(str(path), None)
    assert data == path.read_bytes()
    assert stat[0] == 70_000


def test_an_entry_given_its_markdown_keeps_every_other_field():
    """`_with_markdown` names the fields one by one (dataclasses.replace was 3 us an
    entry): it must give what replace gives, whatever fields SourceEntry has."""
    import dataclasses

    from generator.loading import SourceEntry, _with_markdown

    values = {f.name: object() for f in dataclasses.fields(SourceEntry)}
    entry = SourceEntry(**values)
    rendered, link_urls = object(), (("a.md", "/a/"),)
    made = _with_markdown(entry, rendered, link_urls)
    expected = dataclasses.replace(entry, rendered=rendered, link_urls=link_urls)
    assert all(
        getattr(made, f.name) is getattr(expected, f.name) for f in dataclasses.fields(SourceEntry)
    )
