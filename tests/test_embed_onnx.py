"""The optional ONNX backend (scanner/embed_onnx.py), checked against the real torch model.

One export into a temporary cache serves the module; the tests that need a fresh export (a
damaged cache, a refused export) make their own, so they take a few seconds each.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from scanner import embed
from scanner.embed import BATCH_SIZE, DIMENSIONS, MODEL_NAME, MiniLM, default_embedder
from scanner.embed import onnx as embed_onnx
from scanner.embed.onnx import MiniLMOnnx, OnnxBackendError, OnnxUnavailable
from scanner.errors import BadInput

LONG = " ".join(
    f"Paragraph {i}. The assistant can now browse the web, run code in a sandbox, keep a memory "
    "of earlier chats and send messages for the user, all without asking each time."
    for i in range(30)
)

VARIED = [
    "",
    " ",
    "?",
    "GPT-5 can now take actions in your browser.",
    "Claude gains a computer-use tool: it moves the cursor, clicks and types.",
    "Gemini 2.0 Flash adds native image output and multimodal live streaming.",
    "Die Assistentin kann jetzt Termine buchen und E-Mails in Ihrem Namen senden.",
    "El modelo ahora puede generar vídeo a partir de una sola imagen.",
    "模型现在可以在沙箱中运行代码并返回文件。",
    "يمكن للنموذج الآن قراءة ملفات PDF والإجابة عن الأسئلة",
    "Новая функция: долгосрочная память для всех пользователей.",
    "🎉🎉 memory for everyone 🎉🎉",
    'curl https://api.example.com/v1/responses -d \'{"tools": [{"type": "web_search"}]}\'',
    "price: $0.15 / 1M input tokens, $0.60 / 1M output tokens (batch -50%)",
    LONG,
    LONG[:900],
]


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="module")
def onnx_model(onnx_cache: Path) -> MiniLMOnnx:
    """Exported once, into the module's temporary cache."""
    model = MiniLMOnnx(cache_dir=onnx_cache)
    model.load()
    assert model.exported
    return model


@pytest.fixture(scope="module")
def torch_model() -> MiniLM:
    model = MiniLM()
    model.bf16 = False  # the reference is plain fp32 on every CPU
    return model


@pytest.fixture
def clean_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """default_embedder() with no cached answer and no stray settings, before and after."""
    monkeypatch.delenv("WETCEMENT_EMBEDDER", raising=False)
    monkeypatch.delenv("WETCEMENT_EMBED_BACKEND", raising=False)
    monkeypatch.setenv("WETCEMENT_CACHE", str(tmp_path / "cache"))
    default_embedder.cache_clear()
    yield
    default_embedder.cache_clear()


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a.astype(np.float64) * b.astype(np.float64), axis=1)


# --- agreement with torch ----------------------------------------------------------------------


def test_long_text_is_past_the_token_limit(onnx_model: MiniLMOnnx) -> None:
    model_dir = embed_onnx.packaged_model_dir()
    assert embed_onnx.max_seq_length(model_dir) == 256
    from tokenizers import Tokenizer

    raw = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    raw.no_truncation()
    assert len(raw.encode(LONG).ids) > 256  # so truncation is really exercised


def test_matches_torch_on_varied_texts(onnx_model: MiniLMOnnx, torch_model: MiniLM) -> None:
    got = onnx_model.encode(VARIED)
    want = torch_model.encode(VARIED)
    cos = cosines(got, want)
    assert cos.mean() >= 0.9999, cos
    assert cos.min() >= 0.999, cos
    # the truncated text and its 900-character prefix differ to both backends alike
    assert abs(float(got[-1] @ got[-2]) - float(want[-1] @ want[-2])) < 1e-4


def test_output_is_unit_float32(onnx_model: MiniLMOnnx) -> None:
    vectors = onnx_model.encode(VARIED)
    assert vectors.dtype == np.float32
    assert vectors.shape == (len(VARIED), DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_nearest_neighbours_match_torch(onnx_model: MiniLMOnnx, torch_model: MiniLM) -> None:
    texts = [t for t in VARIED if t.strip()]
    got = onnx_model.encode(texts)
    want = torch_model.encode(texts)
    sims_got = got @ got.T
    sims_want = want @ want.T
    np.fill_diagonal(sims_got, -2)
    np.fill_diagonal(sims_want, -2)
    assert (sims_got.argmax(axis=1) == sims_want.argmax(axis=1)).all()


# --- batching and order ------------------------------------------------------------------------


def test_order_is_kept_across_batches(onnx_model: MiniLMOnnx) -> None:
    rng = np.random.default_rng(7)
    words = LONG.split()
    texts = [" ".join(words[: int(n)]) + f" #{i}" for i, n in enumerate(rng.integers(0, 300, 66))]
    assert len(texts) > 2 * BATCH_SIZE
    together = onnx_model.encode(texts)
    for i in (0, 1, 17, 40, 65):
        alone = onnx_model.encode([texts[i]])[0]
        assert float(together[i] @ alone) > 0.99999, i
    backwards = onnx_model.encode(texts[::-1])
    assert cosines(backwards[::-1], together).min() > 0.99999


def test_empty_input(onnx_cache: Path) -> None:
    model = MiniLMOnnx(cache_dir=onnx_cache)
    out = model.encode([])
    assert out.shape == (0, DIMENSIONS)
    assert out.dtype == np.float32
    assert model.model_path is None  # nothing was loaded for nothing


# --- the cache ---------------------------------------------------------------------------------


def test_second_instance_reuses_the_export(onnx_model: MiniLMOnnx, onnx_cache: Path) -> None:
    assert onnx_model.model_path is not None
    path = onnx_model.model_path
    assert path.is_relative_to(onnx_cache / "onnx")
    assert path.parent.name.startswith(f"{MODEL_NAME}-")
    before = path.stat().st_mtime_ns
    meta = json.loads((path.parent / "meta.json").read_text(encoding="utf-8"))
    assert meta["probe_mean_cosine"] >= 0.9999
    assert meta["probe_min_cosine"] >= 0.999

    again = MiniLMOnnx(cache_dir=onnx_cache)
    vectors = again.encode(["reused"])
    assert not again.exported
    assert again.model_path == path
    assert path.stat().st_mtime_ns == before
    assert vectors.shape == (1, DIMENSIONS)
    # no temporary folders left beside the published one
    assert [p.name for p in (onnx_cache / "onnx").iterdir()] == [path.parent.name]


def test_cache_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WETCEMENT_CACHE", str(tmp_path / "c"))
    assert embed_onnx.cache_root() == tmp_path / "c"
    monkeypatch.delenv("WETCEMENT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert embed_onnx.cache_root() == tmp_path / "xdg" / "wetcement"


def _copy_cache(onnx_model: MiniLMOnnx, tmp_path: Path) -> Path:
    assert onnx_model.model_path is not None
    folder = onnx_model.model_path.parent
    copy = tmp_path / "cache" / "onnx" / folder.name
    shutil.copytree(folder, copy)
    return copy


@pytest.mark.parametrize("damage", ["garbage", "truncated", "no-meta", "old-format"])
def test_damaged_cache_is_not_trusted(onnx_model: MiniLMOnnx, tmp_path: Path, damage: str) -> None:
    folder = _copy_cache(onnx_model, tmp_path)
    model_file = folder / "model.onnx"
    if damage == "garbage":
        model_file.write_bytes(b"not an onnx model")
    elif damage == "truncated":
        data = model_file.read_bytes()
        model_file.write_bytes(data[: len(data) // 2])
    elif damage == "no-meta":
        (folder / "meta.json").unlink()
    else:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        meta["format"] = embed_onnx.EXPORT_FORMAT - 1
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert MiniLMOnnx(cache_dir=tmp_path / "cache")._open_cached(folder) is None


@pytest.mark.slow
def test_corrupt_cache_is_exported_again(
    onnx_model: MiniLMOnnx, torch_model: MiniLM, tmp_path: Path
) -> None:
    folder = _copy_cache(onnx_model, tmp_path)
    (folder / "model.onnx").write_bytes(b"\x00" * 1024)
    model = MiniLMOnnx(cache_dir=tmp_path / "cache")
    got = model.encode(VARIED[3:8])
    assert model.exported
    assert model.model_path == folder / "model.onnx"
    assert (folder / "model.onnx").stat().st_size > 10_000_000
    assert cosines(got, torch_model.encode(VARIED[3:8])).min() >= 0.999
    assert MiniLMOnnx(cache_dir=tmp_path / "cache")._open_cached(folder) is not None


@pytest.mark.slow
def test_export_that_disagrees_is_refused(
    torch_model: MiniLM, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Real torch vectors, paired with the wrong texts: what a broken export would look like.
    shifted = np.roll(torch_model.encode(list(embed_onnx.PROBE_TEXTS)), 1, axis=0)
    monkeypatch.setattr(embed_onnx, "_torch_probe_vectors", lambda: shifted)
    model = MiniLMOnnx(cache_dir=tmp_path / "cache")
    with pytest.raises(OnnxBackendError, match="does not match the torch model"):
        model.encode(["anything"])
    assert not list((tmp_path / "cache" / "onnx").iterdir())  # nothing published, no leftovers


def test_missing_onnxruntime_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # makes `import onnxruntime` fail
    model = MiniLMOnnx(cache_dir=tmp_path / "cache")
    with pytest.raises(OnnxUnavailable, match=r"pip install 'wet-cement-scanner\[onnx\]'") as err:
        model.encode(["x"])
    assert isinstance(err.value, BadInput)
    assert not (tmp_path / "cache").exists()


# --- choosing the backend ----------------------------------------------------------------------


@pytest.mark.usefixtures("clean_default")
def test_default_is_torch() -> None:
    assert isinstance(default_embedder(), MiniLM)


@pytest.mark.usefixtures("clean_default")
@pytest.mark.parametrize("value", ["onnx", "ONNX", " onnx "])
def test_env_selects_onnx(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("WETCEMENT_EMBED_BACKEND", value)
    chosen = default_embedder()
    assert isinstance(chosen, MiniLMOnnx)
    assert chosen.name == MODEL_NAME == embed.MiniLM.name
    assert default_embedder() is chosen  # still one per process


@pytest.mark.usefixtures("clean_default")
def test_env_selects_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WETCEMENT_EMBED_BACKEND", "torch")
    assert isinstance(default_embedder(), MiniLM)


@pytest.mark.usefixtures("clean_default")
def test_unknown_backend_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WETCEMENT_EMBED_BACKEND", "tensorflow")
    with pytest.raises(BadInput, match="tensorflow"):
        default_embedder()


@pytest.mark.usefixtures("clean_default")
def test_hashing_stand_in_still_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WETCEMENT_EMBEDDER", "hashing")
    monkeypatch.setenv("WETCEMENT_EMBED_BACKEND", "onnx")
    assert isinstance(default_embedder(), embed.HashingEmbedder)


def test_threads_follow_omp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert embed_onnx.default_threads() == 3
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert embed_onnx.default_threads() == len(os.sched_getaffinity(0))
