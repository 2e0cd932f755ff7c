"""ristretto255 through libsodium (core.ballotcrypto.group): RFC 9496 Appendix A vectors.

The vectors below are RFC 9496 Appendix A.1 (encodings of 0·B .. 15·B), A.2 (bad
encodings, which every decoder MUST reject) and A.3 (the hash-to-group labels, hashed
with SHA-512 and mapped with the one-way map, and their results). They were transcribed
from copies of the appendix in the test suites of curve25519-dalek, libsodium's
bindings and others, which agree with each other; the RFC text itself was not at hand.
The multiples are also checked independently, by repeated addition of the generator.
"""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from besluit.core.ballotcrypto import BallotCryptoError
from besluit.core.ballotcrypto.group import (
    L,
    Point,
    Scalar,
    derive_nonce,
    frame,
    hash_to_point,
    hash_to_scalar,
)

RFC9496_MULTIPLES = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
    "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
    "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
    "da80862773358b466ffadfe0b3293ab3d9fd53c5ea6c955358f568322daf6a57",
    "e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e",
    "f64746d3c92b13050ed8d80236a7f0007c3b3f962f5ba793d19a601ebb1df403",
    "44f53520926ec81fbd5a387845beb7df85a96a24ece18738bdcfa6a7822a176d",
    "903293d8f2287ebe10e2374dc1a53e0bc887e592699f02d077d5263cdd55601c",
    "02622ace8f7303a31cafc63f8fc48fdc16e1c8c8d234b2f0d6685282a9076031",
    "20706fd788b2720a1ed2a5dad4952b01f413bcf0e7564de8cdc816689e2db95f",
    "bce83f8ba5dd2fa572864c24ba1810f9522bc6004afe95877ac73241cafdab42",
    "e4549ee16b9aa03099ca208c67adafcafa4c3f3e4e5303de6026e3ca8ff84460",
    "aa52e000df2e16f55fb1032fc33bc42742dad6bd5a8fc0be0167436c5948501f",
    "46376b80f409b29dc2b5f6f0c52591990896e5716f41477cd30085ab7f10301e",
    "e0c418f7c8d9c4cdd7395b93ea124f3ad99021bb681dfc3302a9d99a2e53e64e",
]

RFC9496_BAD_ENCODINGS = [
    # Non-canonical field encodings.
    "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    # Negative field elements.
    "0100000000000000000000000000000000000000000000000000000000000000",
    "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20",
    "c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562",
    "c940e5a4404157cfb1628b108db051a8d439e1a421394ec4ebccb9ec92a8ac78",
    "47cfc5497c53dc8e61c91d17fd626ffb1c49e2bca94eed052281b510b1117a24",
    "f1c6165d33367351b0da8f6e4511010c68174a03b6581212c71c0e1d026c3c72",
    "87260f7a2f12495118360f02c26a470f450dadf34a413d21042b43b9d93e1309",
    # Non-square x^2.
    "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
    "4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f",
    "de6a7b00deadc788eb6b6c8d20c0ae96c2f2019078fa604fee5b87d6e989ad7b",
    "bcab477be20861e01e4a0e295284146a510150d9817763caf1a6f4b422d67042",
    "2a292df7e32cababbd9de088d1d1abec9fc0440f637ed2fba145094dc14bea08",
    "f4a9e534fc0d216c44b218fa0c42d99635a0127ee2e53c712f70609649fdff22",
    "8268436f8c4126196cf64b3c7ddbda90746a378625f9813dd9b8457077256731",
    "2810e5cbc2cc4d4eece54f61c6f69758e289aa7ab440b3cbeaa21995c2f4232b",
    # Negative x*y.
    "3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e",
    "a45fdc55c76448c049a1ab33f17023edfb2be3581e9c7aade8a6125215e04220",
    "d483fe813c6ba647ebbfd3ec41adca1c6130c2beeee9d9bf065c8d151c5f396e",
    "8a2e1d30050198c65a54483123960ccc38aef6848e1ec8f5f780e8523769ba32",
    "32888462f8b486c68ad7dd9610be5192bbeaf3b443951ac1a8118419d9fa097b",
    "227142501b9d4355ccba290404bde41575b037693cef1f438c47f8fbf35d1165",
    "5c37cc491da847cfeb9281d407efc41e15144c876e0170b499a96a22ed31e01e",
    "445425117cb8c90edcbc7c1cc0e74f747f2c1efa5630a967c64f287792a48a4b",
    # s = -1, which causes y = 0.
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
]

RFC9496_HASH_TO_GROUP = [
    (
        "Ristretto is traditionally a short shot of espresso coffee",
        "3066f82a1a747d45120d1740f14358531a8f04bbffe6a819f86dfe50f44a0a46",
    ),
    (
        "made with the normal amount of ground coffee but extracted with",
        "f26e5b6f7d362d2d2a94c5d0e7602cb4773c95a2e5c31a64f133189fa76ed61b",
    ),
    (
        "about half the amount of water in the same amount of time",
        "006ccd2a9e6867e6a2c5cea83d3302cc9de128dd2a9a57dd8ee7b9d7ffe02826",
    ),
    ("by using a finer grind.", "f8f0c87cf237953c5890aec3998169005dae3eca1fbb04548c635953c817f92a"),
    (
        "This produces a concentrated shot of coffee per volume.",
        "ae81e7dedf20a497e10c304a765c1767a42d6e06029758d2d7e8ef7cc4c41179",
    ),
    (
        "Just pulling a normal shot short will produce a weaker shot",
        "e2705652ff9f5e44d3e841bf1c251cf7dddb77d140870d1ab2ed64f1a9ce8628",
    ),
    (
        "and is not a Ristretto as some believe.",
        "80bd07262511cdde4863f8a7434cef696750681cb9510eea557088f76d9e5065",
    ),
]
# A.3 also lists the 64-byte one-way-map input of the first label (its SHA-512):
RFC9496_FIRST_UNIFORM_INPUT = (
    "5d1be09e3d0c82fc538112490e35701979d99e06ca3e2b5b54bffe8b4dc772c1"
    "4d98b696a1bbfb5ca32c436cc61c16563790306c79eaca7705668b47dffe5bb6"
)


def test_generator_multiples_match_rfc9496_by_scalar_multiplication():
    for k, expected in enumerate(RFC9496_MULTIPLES):
        assert Point.base_times(Scalar.of(k)).encoding.hex() == expected


def test_generator_multiples_match_rfc9496_by_repeated_addition():
    acc = Point.identity()
    for expected in RFC9496_MULTIPLES:
        assert acc.encoding.hex() == expected
        assert Point.decode(bytes.fromhex(expected), allow_identity=True) == acc
        acc = acc + Point.base()


@pytest.mark.parametrize("bad", RFC9496_BAD_ENCODINGS)
def test_rfc9496_bad_encodings_are_rejected(bad):
    with pytest.raises(BallotCryptoError) as exc:
        Point.decode(bytes.fromhex(bad), allow_identity=True)
    assert exc.value.code == "point_invalid"


@pytest.mark.parametrize(("label", "expected"), RFC9496_HASH_TO_GROUP)
def test_rfc9496_hash_to_group(label, expected):
    import rbcl

    digest = hashlib.sha512(label.encode()).digest()
    assert rbcl.crypto_core_ristretto255_from_hash(digest).hex() == expected


def test_rfc9496_first_uniform_input_is_sha512_of_first_label():
    label = RFC9496_HASH_TO_GROUP[0][0].encode()
    assert hashlib.sha512(label).hexdigest() == RFC9496_FIRST_UNIFORM_INPUT


def test_identity_is_refused_where_it_must_not_appear():
    with pytest.raises(BallotCryptoError) as exc:
        Point.decode(bytes(32))
    assert exc.value.code == "point_identity"


def test_wrong_length_is_refused():
    for data in (b"", bytes(31), bytes(33)):
        with pytest.raises(BallotCryptoError) as exc:
            Point.decode(data)
        assert exc.value.code == "length_invalid"


def test_non_canonical_scalars_are_refused_not_reduced():
    for value in (L, L + 1, 2**256 - 1):
        with pytest.raises(BallotCryptoError) as exc:
            Scalar.decode(value.to_bytes(32, "little"))
        assert exc.value.code == "scalar_noncanonical"
    assert Scalar.decode((L - 1).to_bytes(32, "little")).value == L - 1


@settings(max_examples=50, deadline=None)
@given(st.integers(0, L - 1), st.integers(0, L - 1))
def test_scalar_arithmetic_is_arithmetic_modulo_l(a, b):
    sa, sb = Scalar.of(a), Scalar.of(b)
    assert (sa + sb).value == (a + b) % L
    assert (sa - sb).value == (a - b) % L
    assert (sa * sb).value == (a * b) % L
    assert (-sa).value == (-a) % L
    if a:
        assert (sa * sa.inverse()).value == 1


@settings(max_examples=25, deadline=None)
@given(st.integers(0, L - 1), st.integers(0, L - 1))
def test_point_arithmetic_is_linear(a, b):
    g = Point.base()
    assert Point.base_times(Scalar.of(a)) + Point.base_times(Scalar.of(b)) == Point.base_times(
        Scalar.of(a + b)
    )
    assert (g * Scalar.of(a)) * Scalar.of(b) == Point.base_times(Scalar.of(a * b))
    assert Point.base_times(Scalar.of(a)) - Point.base_times(Scalar.of(a)) == Point.identity()


def test_frame_is_length_prefixed_big_endian():
    assert frame(b"ab", b"") == b"\x00\x00\x00\x02ab\x00\x00\x00\x00"
    # no two item lists share a framing: ("a","bc") vs ("ab","c")
    assert frame(b"a", b"bc") != frame(b"ab", b"c")


def test_hashes_are_domain_separated_and_match_their_definition():
    body = frame(b"besluit/ballotcrypto/v1/x", b"data")
    assert hash_to_scalar("x", b"data") == Scalar.from_wide(hashlib.sha512(body).digest())
    assert hash_to_scalar("x", b"data") != hash_to_scalar("y", b"data")
    assert hash_to_point("x", b"data") != hash_to_point("y", b"data")
    assert derive_nonce(bytes(32), "r", 0) != derive_nonce(bytes(32), "r", 1)


def test_importing_the_group_leaves_no_copy_of_libsodium_behind(tmp_path):
    """rbcl writes libsodium to a temporary file at import; besluit removes it once
    loaded, so processes do not fill the temporary folder (2.7 MB each)."""
    import subprocess
    import sys

    script = (
        "import sys, besluit.core.ballotcrypto.group as g\n"
        "path = sys.modules['rbcl._sodium'].lib_path\n"
        "print(path)\n"
        "assert g.Point.base_times(g.Scalar.of(2)) == g.Point.base() + g.Point.base()\n"
    )
    env = {"TMPDIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    path = done.stdout.strip()
    assert path.startswith(str(tmp_path)), path
    assert list(tmp_path.iterdir()) == []


def test_an_encoding_with_the_top_bit_set_is_refused():
    """RFC 9496 4.3.1: such a string is >= 2**255, not a canonical field element. The
    libsodium inside rbcl (1.0.18) accepts it as the same point as without the bit, which
    would give every element a second encoding (a ballot with another tracker)."""
    g = Point.base().encoding
    second = g[:31] + bytes([g[31] | 0x80])
    with pytest.raises(BallotCryptoError) as exc:
        Point.decode(second)
    assert exc.value.code == "point_invalid"
