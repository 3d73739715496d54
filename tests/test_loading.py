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
