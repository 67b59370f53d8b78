"""Loader of the original T2M text-motion evaluator (Guo et al. 2022), for users who have its files.

The project cannot ship those weights; a user points this loader at their copies:

    checkpoint   t2m/text_mot_match/model/finest.tar  (state dicts under "text_encoder",
                 "movement_encoder", "motion_encoder")
    glove_dir    glove/our_vab_data.npy (V, 300), our_vab_words.pkl, our_vab_idx.pkl (word -> row)
    mean, std    t2m_mean.npy, t2m_std.npy (the evaluator's own 263-d normalisation)

The modules are rebuilt from the published architecture (humanml3d-format.md §3.2), so the state
dicts load with strict key and shape checks:

* TextEncoderBiGRUCo: (GloVe 300 + Linear(15 -> 300)(POS one-hot)) -> Linear(300 -> 512) -> BiGRU(512)
  from a learned initial state, packed by caption length -> [fwd, bwd] (1024) -> Linear(1024 -> 512) +
  LayerNorm + LeakyReLU(0.2) + Linear(512 -> 512).
* MovementConvEncoder: features without foot contacts (259) -> Conv1d(259 -> 512, k4 s2 p1) + Dropout(0.2)
  + LeakyReLU(0.2) -> Conv1d(512 -> 512, k4 s2 p1) + Dropout + LeakyReLU -> Linear(512 -> 512).
* MotionEncoderBiGRUCo: Linear(512 -> 1024) -> BiGRU(1024) from a learned initial state, packed by
  length // 4 -> Linear(2048 -> 1024) + LayerNorm + LeakyReLU(0.2) + Linear(1024 -> 512).

Captions: tokens "word/POS" (HumanML3D's texts/ files), cropped to 20, wrapped in sos/eos, padded
with unk/OTHER to 22; the GRU consumes the TRUE length (the published fork's padding bug, MDM issue
#182, is not reproduced).
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from motion_loop.data.features import CONTACT_DIMS, FEATURE_DIM, check_features
from motion_loop.eval.evaluator import EvaluatorError
from motion_loop.io.checked import load_torch_checked

POS_CATEGORIES = (
    "VERB", "NOUN", "DET", "ADP", "NUM", "AUX", "PRON", "ADJ", "ADV",
    "Loc_VIP", "Body_VIP", "Obj_VIP", "Act_VIP", "Desc_VIP", "OTHER",
)  # fmt: skip
# Word lists that override the spaCy POS in T2M's word vectorizer. Recalled from the public T2M code
# (not fetched here): pass `vip_words=` with the lists of your copy if they differ.
VIP_WORDS: dict[str, tuple[str, ...]] = {
    "Loc_VIP": ("left", "right", "clockwise", "counterclockwise", "anticlockwise", "forward", "back",
                "backward", "up", "down", "straight", "curve"),
    "Body_VIP": ("arm", "chin", "foot", "feet", "face", "hand", "mouth", "leg", "waist", "eye", "knee",
                 "shoulder", "thigh"),
    "Obj_VIP": ("stair", "dumbbell", "chair", "window", "floor", "car", "ball", "handrail", "baseball",
                "basketball"),
    "Act_VIP": ("walk", "run", "swing", "pick", "bring", "kick", "put", "squat", "throw", "hop", "dance",
                "jump", "turn", "stumble", "stop", "sit", "lift", "lower", "raise", "wash", "stand",
                "kneel", "stroll", "rub", "bend", "balance", "flap", "jog", "shuffle", "lean", "rotate",
                "spin", "spread", "climb"),
    "Desc_VIP": ("slowly", "carefully", "fast", "careful", "slow", "quickly", "happy", "angry", "sad",
                 "happily", "angrily", "sadly"),
}  # fmt: skip
MAX_TEXT_TOKENS = 20  # tokens kept before sos/eos are added (22 positions in all)
UNIT_LENGTH = 4
MAX_FRAMES = 196
_LEAK = 0.2


class TextEncoderBiGRUCo(nn.Module):
    """T2M text encoder: word vectors (B, L, 300), POS one-hots (B, L, 15), lengths (B,) -> (B, 512)."""

    def __init__(self, word_size: int = 300, pos_size: int = 15, hidden_size: int = 512, output_size: int = 512) -> None:
        super().__init__()
        self.pos_emb = nn.Linear(pos_size, word_size)
        self.input_emb = nn.Linear(word_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True, bidirectional=True)
        self.output_net = nn.Sequential(
            nn.Linear(hidden_size * 2, hidden_size),
            nn.LayerNorm(hidden_size),
            nn.LeakyReLU(_LEAK),
            nn.Linear(hidden_size, output_size),
        )
        self.hidden = nn.Parameter(torch.randn((2, 1, hidden_size), requires_grad=True))

    def forward(self, word_embs: torch.Tensor, pos_onehot: torch.Tensor, cap_lens: torch.Tensor) -> torch.Tensor:
        B = word_embs.shape[0]
        inputs = self.input_emb(word_embs + self.pos_emb(pos_onehot))  # (B, L, H)
        packed = pack_padded_sequence(inputs, cap_lens.cpu(), batch_first=True, enforce_sorted=False)
        _, last = self.gru(packed, self.hidden.repeat(1, B, 1).contiguous())  # (2, B, H)
        return self.output_net(torch.cat([last[0], last[1]], dim=-1))


class MovementConvEncoder(nn.Module):
    """T2M movement encoder: (B, T, 259) -> (B, T // 4, 512)."""

    def __init__(self, input_size: int = FEATURE_DIM - 4, hidden_size: int = 512, output_size: int = 512) -> None:
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv1d(input_size, hidden_size, 4, 2, 1),
            nn.Dropout(0.2),
            nn.LeakyReLU(_LEAK),
            nn.Conv1d(hidden_size, output_size, 4, 2, 1),
            nn.Dropout(0.2),
            nn.LeakyReLU(_LEAK),
        )
        self.out_net = nn.Linear(output_size, output_size)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.out_net(self.main(inputs.permute(0, 2, 1)).permute(0, 2, 1))


class MotionEncoderBiGRUCo(nn.Module):
    """T2M motion encoder: movements (B, S, 512), lengths (B,) [steps] -> (B, 512)."""

    def __init__(self, input_size: int = 512, hidden_size: int = 1024, output_size: int = 512) -> None:
        super().__init__()
        self.input_emb = nn.Linear(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True, bidirectional=True)
        self.output_net = nn.Sequential(
            nn.Linear(hidden_size * 2, hidden_size),
            nn.LayerNorm(hidden_size),
            nn.LeakyReLU(_LEAK),
            nn.Linear(hidden_size, output_size),
        )
        self.hidden = nn.Parameter(torch.randn((2, 1, hidden_size), requires_grad=True))

    def forward(self, inputs: torch.Tensor, m_lens: torch.Tensor) -> torch.Tensor:
        B = inputs.shape[0]
        packed = pack_padded_sequence(self.input_emb(inputs), m_lens.cpu(), batch_first=True, enforce_sorted=False)
        _, last = self.gru(packed, self.hidden.repeat(1, B, 1).contiguous())
        return self.output_net(torch.cat([last[0], last[1]], dim=-1))


class WordVectorizer:
    """GloVe vectors and POS one-hots of "word/POS" tokens, as T2M's word vectorizer defines them."""

    def __init__(self, glove_dir: Path | str, *, prefix: str = "our_vab", vip_words: dict[str, Sequence[str]] | None = None) -> None:
        glove_dir = Path(glove_dir)
        paths = [glove_dir / f"{prefix}_{name}" for name in ("data.npy", "words.pkl", "idx.pkl")]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise EvaluatorError(f"T2M GloVe files missing: {missing} (from the T2M release's glove/ folder)")
        self.vectors = np.load(paths[0]).astype(np.float32)  # (V, 300)
        with open(paths[2], "rb") as stream:
            self.index: dict[str, int] = pickle.load(stream)  # noqa: S301 - the user's own T2M files
        if "unk" not in self.index:
            raise EvaluatorError(f"{paths[2]} has no 'unk' entry; T2M maps out-of-vocabulary words to it")
        self.vip = {word: category for category, words in (vip_words or VIP_WORDS).items() for word in words}

    def __call__(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        word, _, pos = token.partition("/")
        onehot = np.zeros(len(POS_CATEGORIES), dtype=np.float32)
        if word in self.index:
            vector = self.vectors[self.index[word]]
            category = self.vip.get(word, pos if pos in POS_CATEGORIES else "OTHER")
        else:
            vector, category = self.vectors[self.index["unk"]], "OTHER"
        onehot[POS_CATEGORIES.index(category)] = 1.0
        return vector, onehot


def caption_tokens(tokens: str | Sequence[str]) -> tuple[list[str], int]:
    """T2M caption layout: sos + up to 20 tokens + eos, padded with unk/OTHER to 22; returns (tokens, true length)."""
    words = tokens.split() if isinstance(tokens, str) else list(tokens)
    words = ["sos/OTHER", *words[:MAX_TEXT_TOKENS], "eos/OTHER"]
    length = len(words)
    return words + ["unk/OTHER"] * (MAX_TEXT_TOKENS + 2 - length), length


class T2MEvaluator:
    """The original evaluator behind the same embedding interface as `motion_loop.eval.evaluator.Evaluator`.

    `embed_text` takes token strings "word/POS word/POS ..." (plain words get the OTHER POS unless they
    are VIP words, which weakens the embedding); `wants_tokens` tells the evaluation to pass them.
    """

    wants_tokens = True

    def __init__(self, words: WordVectorizer, mean: np.ndarray, std: np.ndarray, *, device: str = "cpu") -> None:
        if mean.shape != (FEATURE_DIM,) or std.shape != (FEATURE_DIM,):
            raise EvaluatorError(f"t2m_mean/std must be ({FEATURE_DIM},), got {mean.shape}, {std.shape}")
        self.words, self.mean, self.std = words, mean.astype(np.float32), std.astype(np.float32)
        self.device = torch.device(device)
        self.text_encoder = TextEncoderBiGRUCo().to(self.device).eval()
        self.movement_encoder = MovementConvEncoder().to(self.device).eval()
        self.motion_encoder = MotionEncoderBiGRUCo().to(self.device).eval()
        self.fingerprint = "t2m-original"
        self.info: dict[str, object] = {"dataset_root": "HumanML3D (original T2M evaluator)"}
        self.reference_cache: dict[str, object] = {}

    @classmethod
    def load(cls, checkpoint: Path | str, glove_dir: Path | str, mean: Path | str, std: Path | str, *, device: str = "cpu") -> T2MEvaluator:
        """Build the modules and load `finest.tar`; raises EvaluatorError on a layout mismatch."""
        evaluator = cls(WordVectorizer(glove_dir), np.load(mean), np.load(std), device=device)
        state = load_torch_checked(  # the original file has no checksum: this names it if it is damaged
            checkpoint, what="T2M evaluator checkpoint", fix="download finest.tar again", error=EvaluatorError
        )
        for key, module in (("text_encoder", evaluator.text_encoder), ("movement_encoder", evaluator.movement_encoder),
                            ("motion_encoder", evaluator.motion_encoder)):  # fmt: skip
            if key not in state:
                raise EvaluatorError(f"{checkpoint}: no {key!r} state dict (keys: {sorted(state)}); not a T2M text_mot_match checkpoint")
            try:
                module.load_state_dict(state[key])
            except RuntimeError as error:
                raise EvaluatorError(f"{checkpoint}: {key} does not fit the T2M architecture: {error}") from error
        return evaluator

    def content_hash(self) -> str:
        import hashlib

        digest = hashlib.sha256(self.mean.tobytes() + self.std.tobytes())
        for module in (self.text_encoder, self.movement_encoder, self.motion_encoder):
            for name, tensor in module.state_dict().items():
                digest.update(name.encode() + tensor.cpu().numpy().tobytes())
        return digest.hexdigest()

    @torch.no_grad()
    def embed_text(self, captions: Sequence[str]) -> np.ndarray:
        """Token strings -> (N, 512) text embeddings (true caption lengths)."""
        if not captions:
            return np.zeros((0, 512))
        rows = [caption_tokens(c) for c in captions]
        pairs = [[self.words(t) for t in tokens] for tokens, _ in rows]
        word = torch.from_numpy(np.array([[v for v, _ in p] for p in pairs])).to(self.device)
        pos = torch.from_numpy(np.array([[o for _, o in p] for p in pairs])).to(self.device)
        lengths = torch.tensor([n for _, n in rows])
        return self.text_encoder(word, pos, lengths).cpu().numpy().astype(np.float64)

    @torch.no_grad()
    def embed_motion(self, motions: Sequence[np.ndarray], lengths: Sequence[int] | None = None) -> np.ndarray:
        """Un-normalised features (T_i, 263) -> (N, 512), normalised with t2m_mean/std, lengths cut to x4."""
        lengths = [len(m) for m in motions] if lengths is None else list(lengths)
        cut = [min(int(n), len(m), MAX_FRAMES) // UNIT_LENGTH * UNIT_LENGTH for m, n in zip(motions, lengths, strict=True)]
        if not motions:
            return np.zeros((0, 512))
        if min(cut) < UNIT_LENGTH:
            raise EvaluatorError(f"motion {int(np.argmin(cut))} is shorter than {UNIT_LENGTH} frames")
        batch = np.zeros((len(motions), max(cut), FEATURE_DIM), dtype=np.float32)
        for row, (motion, n) in enumerate(zip(motions, cut, strict=True)):
            batch[row, :n] = (check_features(motion)[:n] - self.mean) / self.std
        movements = self.movement_encoder(torch.from_numpy(batch[..., : CONTACT_DIMS.start]).to(self.device))
        steps = torch.tensor(cut) // UNIT_LENGTH
        return self.motion_encoder(movements, steps).cpu().numpy().astype(np.float64)
