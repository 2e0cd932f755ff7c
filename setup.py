"""The one compiled part of Besluit: variable-time linear combinations of ristretto255
points for checking ballot proofs (native/combinations.c, over libsodium's own ref10
group code in native/vendor/libsodium-1.0.20). Everything else is in pyproject.toml."""

from pathlib import Path

from setuptools import Extension, setup

SODIUM = Path("native/vendor/libsodium-1.0.20/src/libsodium")

setup(
    ext_modules=[
        Extension(
            "besluit.core.ballotcrypto._combinations",
            sources=["native/combinations.c"],
            include_dirs=[str(SODIUM), str(SODIUM / "include"), str(SODIUM / "include/sodium")],
            # 64-bit limbs with 128-bit products (fe_51), as libsodium builds on x86_64 and
            # aarch64; CONFIGURED: libsodium's sources compiled outside its own build.
            define_macros=[("HAVE_TI_MODE", "1"), ("CONFIGURED", "1")],
            # Our copy of libsodium's functions stays private to this module, so it never
            # clashes with the libsodium that rbcl and PyNaCl load in the same process.
            extra_compile_args=["-O2", "-fvisibility=hidden", "-Wno-unused-function"],
        )
    ]
)
