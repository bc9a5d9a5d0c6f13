"""Choosing a backend, the pure-Python fallback, and the public API's argument checks."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import kmspair
from kmspair import _core, python_backend
from kmspair.backend import resolve


def chosen(name: str | None = None) -> object:
    """The backend module ``resolve`` picks, typed loosely so identity checks read plainly."""
    return resolve(name)


def test_rust_is_the_default_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KMSPAIR_BACKEND", raising=False)
    assert chosen() is _core


def test_environment_variable_sets_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KMSPAIR_BACKEND", "python")
    assert chosen() is python_backend


def test_backend_argument_overrides_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KMSPAIR_BACKEND", "python")
    assert chosen("rust") is _core


def test_an_unknown_backend_is_a_value_error_naming_the_valid_ones() -> None:
    with pytest.raises(kmspair.UnknownBackendError, match="valid backends are rust, python"):
        kmspair.generate_key_pair("ECC_NIST_P256", backend="go")
    assert issubclass(kmspair.UnknownBackendError, ValueError)


def test_an_unknown_spec_is_a_value_error_listing_every_valid_spec(backend: str) -> None:
    with pytest.raises(kmspair.UnknownKeyPairSpecError) as caught:
        kmspair.generate_key_pair("RSA_1024", backend=backend)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == (
        "Unknown KeyPairSpec 'RSA_1024'; valid specs are RSA_2048, RSA_3072, RSA_4096, "
        "ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SM2, ECC_NIST_EDWARDS25519"
    )


def test_spec_names_are_case_sensitive(backend: str) -> None:
    with pytest.raises(kmspair.UnknownKeyPairSpecError):
        kmspair.generate_key_pair("ecc_nist_p256", backend=backend)


def test_a_batch_of_an_unknown_spec_is_refused(backend: str) -> None:
    with pytest.raises(kmspair.UnknownKeyPairSpecError):
        kmspair.generate_key_pairs("ECC_NIST_P999", 3, backend=backend)


def test_both_backends_know_the_same_specs_in_the_same_order() -> None:
    assert _core.KEY_PAIR_SPECS == python_backend.KEY_PAIR_SPECS == kmspair.KEY_PAIR_SPECS


def test_specs_are_the_service_models_data_key_pair_specs_in_its_order() -> None:
    import botocore.session

    model = botocore.session.get_session().get_service_model("kms")
    enum = tuple(model.shape_for("DataKeyPairSpec").enum)
    # Newer models append ML_KEM_* specs, which the behaviour spec (and so kmspair) does not
    # offer yet; the nine classic ones come first, in our order.
    assert enum[: len(kmspair.KEY_PAIR_SPECS)] == kmspair.KEY_PAIR_SPECS


@pytest.mark.parametrize("count", [-1, 1.5, "3", True, 1_000_001, 2**40, 2**62, 10**30])
def test_a_batch_count_must_be_an_integer_from_0_to_a_million(count: object) -> None:
    with pytest.raises(ValueError, match="count must be an integer from 0 to 1000000"):
        kmspair.generate_key_pairs("ECC_NIST_P256", count)  # type: ignore[arg-type]


@pytest.mark.parametrize("threads", [0, -2, 2.0, 257, 10**30])
def test_batch_threads_must_be_an_integer_from_1_to_256(threads: object) -> None:
    with pytest.raises(ValueError, match="threads must be an integer from 1 to 256"):
        kmspair.generate_key_pairs("ECC_NIST_P256", 2, threads=threads)  # type: ignore[arg-type]


@pytest.mark.parametrize("spec", [None, 5, b"RSA_2048", "RSA_2048\ud800"])
def test_a_spec_that_is_no_spec_name_is_an_unknown_spec_on_both_backends(
    backend: str, spec: object
) -> None:
    with pytest.raises(kmspair.UnknownKeyPairSpecError) as caught:
        kmspair.generate_key_pair(spec, backend=backend)  # type: ignore[arg-type]
    str(caught.value).encode("utf-8")  # the message itself can be printed


def run_without_native(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter in which ``kmspair._core`` cannot be imported."""
    prelude = "import sys\nsys.modules['kmspair._core'] = None  # makes the import fail\n"
    environment = {"PATH": "/usr/bin:/bin", "PYTHONWARNINGS": "default", **env}
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


def test_without_the_native_module_kmspair_falls_back_to_python_and_says_so_once() -> None:
    result = run_without_native(
        """
        import kmspair
        for _ in range(3):
            private, public = kmspair.generate_key_pair("ECC_NIST_P256")
        assert len(private) == 138 and len(public) == 91
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"
    assert result.stderr.count("NativeBackendUnavailableWarning") == 1
    assert "pure-Python backend" in result.stderr


def test_choosing_python_explicitly_without_the_native_module_is_silent() -> None:
    result = run_without_native(
        "import kmspair; kmspair.generate_key_pair('ECC_NIST_P256')", KMSPAIR_BACKEND="python"
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_asking_for_rust_without_the_native_module_raises() -> None:
    result = run_without_native(
        """
        import kmspair
        try:
            kmspair.generate_key_pair("ECC_NIST_P256", backend="rust")
        except ImportError as error:
            print(type(error).__name__)
        """
    )
    assert result.stdout == "BackendUnavailableError\n", result.stderr
