# Shared by scripts/run and scripts/test: system packages, pcscd with the virtual reader, the build.
# shellcheck shell=bash

# Debian packages the tool, its tests and its emulator need (python3: scripts/run, and the tests that drive
# mynacard through a pseudo-terminal).
MYNACARD_PACKAGES=(pcscd libpcsclite-dev libccid vsmartcard-vpcd opensc openssl libopenjp2-7-dev zlib1g-dev libxml2-dev pkg-config iproute2 python3)

# What only the tests need: the tools no one here wrote that check signed documents (poppler's pdfsig with
# NSS's certutil, qpdf, xmlsec1, ssh-keygen), a browser for the counter page's tests (Debian's Chromium and its
# WebDriver, chromedriver), and Python's venv for pyHanko and selenium (installed from PyPI below).
MYNACARD_TEST_PACKAGES=(poppler-utils libnss3-tools qpdf xmlsec1 openssh-client python3-venv chromium chromium-driver)

# pyHanko (PyPI), for `pyhanko sign validate` in the end-to-end tests; the tests look for it here.
PYHANKO_VENV=.build/test-tools/pyhanko
PYHANKO_PACKAGES=(pyHanko==0.38.0 pyhanko-cli==0.6.0)

# selenium (PyPI), the WebDriver client that drives Chromium in the counter page's tests; they look for it here.
SELENIUM_VENV=.build/test-tools/selenium
SELENIUM_PACKAGES=(selenium==4.51.0)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "need root for: $*" >&2; return 1
    fi
}

# Installs whichever of the packages are missing (apt-get update first, as a fresh machine needs);
# by default MYNACARD_PACKAGES, else the packages given.
install_packages() {
    local missing=()
    [ "$#" -gt 0 ] || set -- "${MYNACARD_PACKAGES[@]}"
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "==> installing ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# Installs what the tests need besides the tool's own packages: MYNACARD_TEST_PACKAGES, and pyHanko and selenium
# in venvs (before the tests enter scripts/isolated, where there is no network).
install_test_tools() {
    install_packages "${MYNACARD_TEST_PACKAGES[@]}"
    "$PYHANKO_VENV/bin/pyhanko" --version 2>/dev/null | grep -q "${PYHANKO_PACKAGES[0]#*==}" ||
        install_venv "$PYHANKO_VENV" "${PYHANKO_PACKAGES[@]}"
    "$SELENIUM_VENV/bin/python3" -c "import selenium; assert selenium.__version__ == '${SELENIUM_PACKAGES[0]#*==}'" 2>/dev/null ||
        install_venv "$SELENIUM_VENV" "${SELENIUM_PACKAGES[@]}"
}

# Makes a new venv in the folder given first and installs the PyPI packages given after it there.
install_venv() {
    local venv=$1
    shift
    echo "==> installing $* (PyPI) into $venv"
    local python=/usr/bin/python3
    [ -x "$python" ] || python=python3
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "$@"
}

# Puts the Swift toolchain on PATH (it lives in /opt/swift on our machines).
find_swift() {
    if ! command -v swift >/dev/null && [ -x /opt/swift/usr/bin/swift ]; then export PATH=/opt/swift/usr/bin:$PATH; fi
    command -v swift >/dev/null || { echo "Swift 6 is needed: https://www.swift.org/install/linux/" >&2; return 1; }
}

# Whether pcscd answers and lists vpcd's virtual reader.
pcscd_has_virtual_reader() {
    timeout 10 opensc-tool --list-readers 2>/dev/null | grep -q "Virtual PCD 00 00"
}

# Starts pcscd unless one with the virtual reader already runs (e.g. under systemd).
start_pcscd() {
    if pcscd_has_virtual_reader; then return 0; fi
    if pgrep -x pcscd >/dev/null; then
        echo "==> restarting pcscd so that it loads the virtual reader driver"
        as_root pkill -x pcscd || true
        sleep 1
    fi
    echo "==> starting pcscd"
    as_root mkdir -p /run/pcscd
    as_root pcscd
    for _ in $(seq 1 50); do
        pcscd_has_virtual_reader && return 0
        sleep 0.2
    done
    echo "pcscd started but shows no virtual reader (is vsmartcard-vpcd installed?)" >&2
    return 1
}

# Whether scripts/isolated can give a command its own namespaces (root or sudo, and unshare).
can_isolate() {
    command -v unshare >/dev/null && command -v ip >/dev/null || return 1
    [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null || return 1
    as_root unshare --net --mount true 2>/dev/null
}
