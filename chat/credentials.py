"""Content Credentials (C2PA) on every picture Easel hands out, and "was this made here?".

Every picture the Studio saves is signed here before it is written (`ContentCredentials.sign_png`),
with the Content Authenticity Initiative's library (`c2pa-python`): a manifest saying it was made
by a generative model (the IPTC digital source type `trainedAlgorithmicMedia`), by Easel (its
version) and which image model. An edit says `c2pa.edited` and carries its parent picture as an
ingredient with the parent's own manifest, so the file holds the lineage of the edit tree. The
prompt stays out unless the operator sets `EASEL_C2PA_INCLUDE_PROMPT`. Because the file on disk is
already signed, every way a picture leaves (the page, the `chat` API, Download, `easel draw`,
`easel chat`) hands out the same signed bytes.

Keys: the operator's own certificate chain and key (`EASEL_C2PA_CERT`, `EASEL_C2PA_KEY`), or a
deployment CA and signing certificate made on first run under `DATA_DIR/credentials` (the key
file mode 0600). The key is read into memory, never served, never logged.

"Was this made here?": a perceptual hash of every picture made (`picture_hash`) is kept with the
audit row of the decision that made it (`OptOutRegistry.record_picture`). `verify_file` answers
from a valid manifest signed with this deployment's certificate, else from the nearest hash.
"""

from __future__ import annotations

import datetime
import io
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import PIL.Image

log = logging.getLogger(__name__)

GENERATED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
PICTURE_ASSERTION = "org.easel.picture"  # Easel's own: the picture's id and its audit row's decision id
GENERATOR = "Easel"
HASH_KIND = "easel-dct-v1"
# A file carries its own manifest and its nearest ancestors' (about 6 KB a generation), so an edit
# many steps deep stays under 25 KB of credentials.
MANIFESTS_PER_FILE = 4
HASH_THRESHOLD = 48  # differing bits (of 381) at most for "made here"; see docs/credentials.md


def easel_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("easel")
    except PackageNotFoundError:
        return "unknown"


# -- keys -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningIdentity:
    """A certificate chain (PEM, the signer first) and its key. The key is not in the repr."""

    chain_pem: bytes
    key_pem: bytes = field(repr=False)
    alg: str  # "es256", "es384", "es512", "ps256", "ed25519"
    serial: str  # the signing certificate's serial number, as c2pa's Reader reports it
    anchors_pem: str  # the chain's last certificate: the anchor this deployment trusts its own pictures by


def _algorithm(key) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if isinstance(key, ec.EllipticCurvePrivateKey):
        return {256: "es256", 384: "es384", 521: "es512"}[key.curve.key_size]
    if isinstance(key, rsa.RSAPrivateKey):
        return "ps256"
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    raise ValueError("the C2PA key must be an EC (P-256/384/521), RSA or Ed25519 private key")


def load_identity(cert_path: Path, key_path: Path) -> SigningIdentity:
    """A chain and key from PEM files (the operator's own, or the ones made on first run)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    chain_pem = Path(cert_path).read_bytes()
    key_pem = Path(key_path).read_bytes()
    certs = x509.load_pem_x509_certificates(chain_pem)
    key = serialization.load_pem_private_key(key_pem, password=None)
    if certs[0].public_key().public_numbers() != key.public_key().public_numbers():
        raise ValueError(f"{cert_path.name}: its first certificate does not belong to the key {key_path.name}")
    return SigningIdentity(
        chain_pem=chain_pem,
        key_pem=key_pem,
        alg=_algorithm(key),
        serial=str(certs[0].serial_number),
        anchors_pem=certs[-1].public_bytes(serialization.Encoding.PEM).decode(),
    )


def create_identity(folder: Path) -> tuple[Path, Path]:
    """A deployment CA and a signing certificate it issued (P-256, ten years), written to
    `folder/easel-c2pa-chain.pem` and `folder/easel-c2pa-key.pem` (mode 0600). c2pa wants the
    signer's certificate issued by a CA, not self-signed, with the digitalSignature key usage and
    an extended key usage it accepts (emailProtection)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=3650)

    def usage(sign: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=sign,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=not sign,
            crl_sign=not sign,
            encipher_only=False,
            decipher_only=False,
        )

    def name(common_name: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Easel deployment"),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("Easel deployment CA"))
        .issuer_name(name("Easel deployment CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage(sign=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("Easel picture signer"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(sign=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    # The CA's key signs once and is not kept: nothing else is ever issued by it.
    chain_path, key_path = folder / "easel-c2pa-chain.pem", folder / "easel-c2pa-key.pem"
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    partial = folder / f".{key_path.name}.{os.getpid()}.partial"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key_bytes)
    chain_partial = folder / f".{chain_path.name}.{os.getpid()}.partial"
    chain_partial.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    )
    # Key first, chain last: a chain on disk always has its key beside it. Another process that
    # made its own pair at the same moment loses the race and uses this one.
    partial.replace(key_path)
    chain_partial.replace(chain_path)
    log.info("Content Credentials: made a signing certificate for this deployment in %s", folder.name)
    return chain_path, key_path


_identity_lock = threading.Lock()


def deployment_identity(folder: Path, cert: Path | None = None, key: Path | None = None) -> SigningIdentity:
    """The operator's chain and key when both are given, else the deployment's own (made once)."""
    if cert or key:
        if not (cert and key):
            raise ValueError("set both EASEL_C2PA_CERT and EASEL_C2PA_KEY, or neither")
        return load_identity(Path(cert), Path(key))
    chain_path, key_path = folder / "easel-c2pa-chain.pem", folder / "easel-c2pa-key.pem"
    with _identity_lock:
        if not (chain_path.exists() and key_path.exists()):
            create_identity(folder)
    return load_identity(chain_path, key_path)


# -- what a manifest says -------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """What a file's Content Credentials say, read and validated by c2pa's Reader."""

    state: str  # c2pa's validation state: "Invalid", "Valid" or "Trusted"
    failures: tuple[str, ...]  # the failure codes of the active manifest
    generator: str  # "Easel 0.1.0", "Adobe Photoshop 26.0", ...
    signer: str  # the signing certificate's issuer (organisation) or common name
    serial: str
    source_type: str | None  # the IPTC digital source type of its first created/edited action
    actions: tuple[str, ...]
    picture: dict  # Easel's own assertion (picture id, decision id), {} for others' pictures

    @property
    def valid(self) -> bool:
        return self.state in ("Valid", "Trusted")

    def describe(self) -> str:
        """One line for a picture's card."""
        if not self.valid:
            why = f" ({', '.join(self.failures[:2])})" if self.failures else ""
            return f"Content Credentials: INVALID{why}; what they claim cannot be trusted"
        made = "generated by AI with" if self.source_type and "algorithmic" in self.source_type.lower() else "made with"
        return f"Content Credentials: {made} {self.generator} by {self.signer} (signature valid)"


def _settings_context(anchors_pem: str | None = None):
    import c2pa

    # No thumbnail (it would add ~30 KB); no check of our own signature right after signing (c2pa
    # reads every file it signs back by default: half the time of signing; the tests read them).
    settings = {
        "builder": {"thumbnail": {"enabled": False}},
        "verify": {"remote_manifest_fetch": False, "verify_after_sign": False},
    }
    if anchors_pem:
        settings["trust"] = {"user_anchors": anchors_pem}
    return c2pa.Context(c2pa.Settings.from_dict(settings))


def read_credentials(data: bytes, anchors_pem: str | None = None) -> Credentials | None:
    """The file's Content Credentials, validated; None when it has none (or c2pa cannot read its
    format). A manifest that fails validation is returned with state "Invalid", never dropped."""
    import c2pa

    try:
        reader = c2pa.Reader.try_create(None, io.BytesIO(data), None, _settings_context(anchors_pem))
    except c2pa.C2paError as error:
        # A manifest store that is there but cannot be parsed is an invalid one.
        text = str(error)
        if "ManifestNotFound" in type(error).__name__ or "NotSupported" in type(error).__name__:
            return None
        return Credentials("Invalid", (text[:80],), "unknown", "unknown", "", None, (), {})
    if reader is None:
        return None
    with reader:
        state = reader.get_validation_state() or "Invalid"
        results = reader.get_validation_results() or {}
        manifest = reader.get_active_manifest() or {}
    failures = tuple(f.get("code", "") for f in (results.get("activeManifest") or {}).get("failure", []))
    # A signer nobody listed is not a fault of the file: c2pa says so as a failure code, but
    # the state stays "Valid" (signature and hard binding hold).
    if state != "Invalid":
        failures = tuple(code for code in failures if code != "signingCredential.untrusted")
    info = (manifest.get("claim_generator_info") or [{}])[0]
    generator = " ".join(str(info.get(k)) for k in ("name", "version") if info.get(k)) or str(
        manifest.get("claim_generator", "unknown")
    )
    signature = manifest.get("signature_info") or {}
    actions, source_type, picture = [], None, {}
    for assertion in manifest.get("assertions") or []:
        label = assertion.get("label", "")
        if label.startswith("c2pa.actions"):
            for action in (assertion.get("data") or {}).get("actions", []):
                actions.append(action.get("action", ""))
                source_type = source_type or action.get("digitalSourceType")
        elif label == PICTURE_ASSERTION:
            picture = dict(assertion.get("data") or {})
    return Credentials(
        state=state,
        failures=failures,
        generator=generator,
        signer=str(signature.get("issuer") or signature.get("common_name") or "an unknown signer"),
        serial=str(signature.get("cert_serial_number") or ""),
        source_type=source_type,
        actions=tuple(actions),
        picture=picture,
    )


# -- signing --------------------------------------------------------------------------------------


class ContentCredentials:
    """Signs the pictures of one deployment. Shared by all sessions; holds no per-user state."""

    def __init__(self, identity: SigningIdentity, *, include_prompt: bool = False, version: str | None = None):
        self.identity = identity
        self.include_prompt = include_prompt
        self.version = version or easel_version()
        self._context = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> ContentCredentials:
        folder = settings.resolved_data_dir() / "credentials"
        identity = deployment_identity(folder, settings.c2pa_cert, settings.c2pa_key)
        return cls(identity, include_prompt=settings.c2pa_include_prompt)

    @classmethod
    def in_folder(cls, folder: Path, **options) -> ContentCredentials:
        return cls(deployment_identity(Path(folder)), **options)

    def context(self):
        with self._lock:
            if self._context is None:
                self._context = _settings_context(self.identity.anchors_pem)
            return self._context

    def _signer(self):
        import c2pa

        algorithm = getattr(c2pa.C2paSigningAlg, self.identity.alg.upper())
        return c2pa.Signer.from_info(
            c2pa.C2paSignerInfo(algorithm, self.identity.chain_pem, self.identity.key_pem, None)
        )

    def manifest(self, picture, *, edited: bool, title: str) -> dict:
        """The manifest definition of one picture (a `PictureRecord`)."""
        agent = {"name": GENERATOR, "version": self.version}
        parameters = {"model": picture.model}
        if self.include_prompt:
            parameters["prompt"] = picture.prompt
        action = {
            "action": "c2pa.edited" if edited else "c2pa.created",
            "digitalSourceType": GENERATED,
            "softwareAgent": agent,
            "parameters": parameters,
        }
        if edited:
            action["parameters"]["ingredientIds"] = ["parent"]
            action["description"] = picture.change or "edited"
        actions = [{"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}}] if edited else []
        return {
            "claim_generator_info": [agent],
            "title": title,
            "format": "image/png",
            "assertions": [
                {"label": "c2pa.actions.v2", "data": {"actions": actions + [action]}},
                {
                    "label": PICTURE_ASSERTION,
                    "data": {
                        "picture_id": picture.id,
                        "decision_id": picture.decision_id,
                        "model": picture.model,
                        **({"parent_id": picture.parent_id} if edited and picture.parent_id else {}),
                    },
                },
            ],
        }

    def sign_png(self, png: bytes, picture, *, parent: Path | None = None, title: str = "picture.png") -> bytes:
        """`png` with a manifest for `picture`; `parent` is the file it was edited from (its own
        manifest, when it has one, goes into this one as the ingredient's, unless the file would
        then carry more than MANIFESTS_PER_FILE generations)."""
        import c2pa

        definition = self.manifest(picture, edited=parent is not None, title=title)
        ingredient = None
        if parent is not None:
            ingredient = parent.read_bytes()
            parent_store = self._store(ingredient)
            if parent_store and len(parent_store.get("manifests", {})) >= MANIFESTS_PER_FILE:
                # Each generation adds about 6 KB (its manifest and the validation results c2pa
                # records for it); past a few, the file names its parent's manifest instead of
                # carrying it, and the parent's own file (kept with the session) goes on.
                definition["assertions"][1]["data"]["parent_manifest"] = parent_store.get("active_manifest")
                ingredient = without_credentials(ingredient)
        with c2pa.Builder(definition, self.context()) as builder:
            if ingredient is not None:
                builder.add_ingredient(
                    {"title": parent.name, "relationship": "parentOf", "label": "parent"},
                    _mime(parent),
                    io.BytesIO(ingredient),
                )
            out = io.BytesIO()
            with self._signer() as signer:
                builder.sign(signer, "image/png", io.BytesIO(png), out)
        return out.getvalue()

    def read(self, data: bytes) -> Credentials | None:
        return read_credentials(data, self.identity.anchors_pem)

    def _store(self, data: bytes) -> dict | None:
        """The manifest store of a picture file as c2pa reads it; None when it has none."""
        import c2pa

        try:
            reader = c2pa.Reader.try_create(None, io.BytesIO(data), None, self.context())
        except c2pa.C2paError:  # one c2pa cannot parse: the ingredient goes in as it is
            return None
        if reader is None:
            return None
        with reader:
            return json.loads(reader.json())

    def is_ours(self, credentials: Credentials | None) -> bool:
        return bool(credentials and credentials.valid and credentials.serial == self.identity.serial)


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
C2PA_PNG_CHUNK = b"caBX"  # where C2PA keeps a manifest store in a PNG


def without_credentials(data: bytes) -> bytes:
    """The same picture without its manifest store: a PNG loses its C2PA chunk and keeps every
    other byte; any other format is re-encoded as PNG (slower, same pixels)."""
    if not data.startswith(PNG_SIGNATURE):
        with PIL.Image.open(io.BytesIO(data)) as image:
            return png_bytes(image.copy())
    kept, at = [PNG_SIGNATURE], len(PNG_SIGNATURE)
    while at + 8 <= len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        end = at + 12 + length  # length, type, data, CRC
        if data[at + 4 : at + 8] != C2PA_PNG_CHUNK:
            kept.append(data[at:end])
        at = end
    return b"".join(kept)


def _mime(path: Path) -> str:
    with PIL.Image.open(path) as image:
        kind = (image.format or "PNG").lower()
    return {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}.get(
        kind, f"image/{kind}"
    )


def png_bytes(image: PIL.Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# -- perceptual hash --------------------------------------------------------------------------------


def _dct_matrix(n: int) -> np.ndarray:
    k = np.arange(n)
    matrix = np.cos(np.pi * (2 * k[None, :] + 1) * k[:, None] / (2 * n)) * np.sqrt(2 / n)
    matrix[0] /= np.sqrt(2)
    return matrix


_DCT32 = _dct_matrix(32)


def picture_hash(image: PIL.Image.Image) -> bytes:
    """A perceptual hash that survives metadata stripping, JPEG and resizing: the signs of the
    low DCT coefficients of the picture at 32x32 (luma: 16x16 of them less the DC; each chroma
    channel: 8x8 less the DC), each compared with its channel's median: 381 bits in 48 bytes."""
    if image.mode != "RGB":  # transparency counts as white
        rgba = image.convert("RGBA")
        image = PIL.Image.alpha_composite(PIL.Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    rgb = image.convert("RGB").resize((32, 32), PIL.Image.Resampling.BOX)
    pixels = np.asarray(rgb, dtype=np.float64)
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    luma = 0.299 * r + 0.587 * g + 0.114 * b
    channels = [(luma, 16), (b - luma, 8), (r - luma, 8)]
    bits = []
    for channel, size in channels:
        coefficients = (_DCT32 @ channel @ _DCT32.T)[:size, :size].ravel()[1:]
        bits.append(coefficients > np.median(coefficients))
    packed = np.packbits(np.concatenate(bits))
    return packed.tobytes()


# -- was this made here? ----------------------------------------------------------------------------


def verify_file(path: Path, registry, credentials: ContentCredentials | None) -> tuple[dict, int]:
    """(the answer of `easel verify`, its exit status): 0 made here, 1 not, 2 unreadable. The answer
    never holds a prompt: {"made_here", "how", "picture_id", "created_at", "model",
    "manifest_valid", "decision", "distance"}."""
    answer = {
        "made_here": False,
        "how": None,
        "picture_id": None,
        "created_at": None,
        "model": None,
        "manifest_valid": None,
        "decision": None,
        "distance": None,
    }
    try:
        data = Path(path).read_bytes()
        with PIL.Image.open(io.BytesIO(data)) as image:
            image.load()
            hashed = picture_hash(image)
    except (OSError, PIL.UnidentifiedImageError, ValueError) as error:
        answer["error"] = f"cannot read the file as a picture: {type(error).__name__}"
        return answer, 2
    found = read_credentials(data, credentials.identity.anchors_pem if credentials else None)
    if found is not None:
        answer["manifest_valid"] = found.valid
        answer["credentials"] = found.describe()
    if credentials is not None and credentials.is_ours(found) and found.picture:
        # The signed file's pixels are the ones hashed when it was made: its row is among the nearest.
        rows = registry.nearest_pictures(HASH_KIND, hashed, limit=20) if registry is not None else []
        wanted = (found.picture.get("decision_id"), found.picture.get("picture_id"))
        row = next((r for r in rows if (r["decision_id"], r["picture_id"]) == wanted), {})
        answer.update(
            made_here=True,
            how="manifest",
            picture_id=found.picture.get("picture_id"),
            model=found.picture.get("model"),
            created_at=_when(row.get("created_at")),
            decision=_decision(row) if row else None,
        )
        return answer, 0
    nearest = registry.nearest_pictures(HASH_KIND, hashed, limit=1) if registry is not None else []
    if nearest and nearest[0]["distance"] <= HASH_THRESHOLD:
        row = nearest[0]
        answer.update(
            made_here=True,
            how="perceptual_hash",
            picture_id=row["picture_id"],
            created_at=_when(row["created_at"]),
            model=row["model"],
            decision=_decision(row),
            distance=row["distance"],
        )
        return answer, 0
    if nearest:
        answer["distance"] = nearest[0]["distance"]
    return answer, 1


def _when(seconds) -> str | None:
    if seconds is None:
        return None
    return datetime.datetime.fromtimestamp(float(seconds), datetime.UTC).isoformat(timespec="seconds")


def _decision(row: dict) -> dict:
    """The audit row's decision without its words: the prompt is the user's own."""
    return {
        "decision_id": row.get("decision_id"),
        "allowed": row.get("allowed"),
        "category": row.get("category"),
        "outcome": row.get("outcome"),
    }


def answer_text(answer: dict) -> str:
    """`verify_file`'s answer in words, for the operator panel."""
    if answer.get("error"):
        return answer["error"]
    lines = []
    if answer["made_here"]:
        how = "its Content Credentials" if answer["how"] == "manifest" else "its perceptual hash"
        lines.append(
            f"Made here: picture {answer['picture_id']}, by {answer['model']}, at {answer['created_at']} ({how})"
        )
        decision = answer.get("decision") or {}
        if decision:
            lines.append(
                f"Decision {decision.get('decision_id')}: {'allowed' if decision.get('allowed') else 'refused'}"
                f" ({decision.get('category')}), outcome {decision.get('outcome') or 'none recorded'}"
            )
    else:
        lines.append("Not made here: no Content Credentials of this deployment and no picture with a close hash.")
    if answer.get("credentials"):
        lines.append(answer["credentials"])
    return "\n".join(lines)


def to_json(answer: dict) -> str:
    return json.dumps(answer, ensure_ascii=False)
