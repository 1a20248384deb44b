/*
 * guard_python.c — the Python stub `abiguard stub --lang python` writes: a
 * pure-Python module (standard library only: ctypes, struct, os, warnings)
 * for bindings written with ctypes or cffi, which have no native part to
 * compile the C stub into. verify() finds the loaded library through
 * /proc/self/maps, reads the build-id from the PT_NOTE of its ELF file and
 * applies the same decision as the C stub.
 */
#include "guard.h"

#include <stdlib.h>
#include <string.h>

#include "version.h"

/* A Python string literal (double quotes, ASCII-safe). */
static void py_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static const char PY_RUNTIME[] =
    "\n"
    "\n"
    "class AbiGuardError(ImportError):\n"
    "    \"\"\"The loaded library is not one this binding may run with.\"\"\"\n"
    "\n"
    "\n"
    "def _policy():\n"
    "    p = os.environ.get(\"ABIGUARD_POLICY\", \"\")\n"
    "    return p if p in (\"fail\", \"warn\", \"off\") else DEFAULT_POLICY\n"
    "\n"
    "\n"
    "def _elf_info(path):\n"
    "    \"\"\"(SONAME or None, build-id hex or None) of the ELF file at path.\"\"\"\n"
    "    with open(path, \"rb\") as f:\n"
    "        ident = f.read(64)\n"
    "        if len(ident) < 52 or ident[:4] != b\"\\x7fELF\":\n"
    "            return None, None\n"
    "        is64 = ident[4] == 2\n"
    "        end = \"<\" if ident[5] == 1 else \">\"\n"
    "        if is64:\n"
    "            phoff, = struct.unpack_from(end + \"Q\", ident, 32)\n"
    "            phentsize, phnum = struct.unpack_from(end + \"HH\", ident, 54)\n"
    "            ph_fmt, dyn_fmt = end + \"IIQQQQQQ\", end + \"qQ\"\n"
    "        else:\n"
    "            phoff, = struct.unpack_from(end + \"I\", ident, 28)\n"
    "            phentsize, phnum = struct.unpack_from(end + \"HH\", ident, 42)\n"
    "            ph_fmt, dyn_fmt = end + \"IIIIIIII\", end + \"iI\"\n"
    "        f.seek(phoff)\n"
    "        table = f.read(phentsize * phnum)\n"
    "        phdrs = []\n"
    "        for i in range(phnum):\n"
    "            v = struct.unpack_from(ph_fmt, table, i * phentsize)\n"
    "            if is64:  # type, flags, offset, vaddr, paddr, filesz, memsz, align\n"
    "                phdrs.append((v[0], v[2], v[3], v[5], v[7]))\n"
    "            else:  # type, offset, vaddr, paddr, filesz, memsz, flags, align\n"
    "                phdrs.append((v[0], v[1], v[2], v[4], v[7]))\n"
    "        build_id = soname = None\n"
    "        for p_type, off, _vaddr, filesz, align in phdrs:\n"
    "            if p_type != 4 or build_id:  # PT_NOTE\n"
    "                continue\n"
    "            f.seek(off)\n"
    "            notes = f.read(filesz)\n"
    "            a = 8 if align == 8 else 4\n"
    "            pos = 0\n"
    "            while pos + 12 <= len(notes):\n"
    "                namesz, descsz, ntype = struct.unpack_from(end + \"III\", notes, pos)\n"
    "                name_end = pos + 12 + ((namesz + a - 1) & ~(a - 1))\n"
    "                desc_end = name_end + ((descsz + a - 1) & ~(a - 1))\n"
    "                if ntype == 3 and notes[pos + 12:pos + 16] == b\"GNU\\x00\":  # NT_GNU_BUILD_ID\n"
    "                    build_id = notes[name_end:name_end + descsz].hex()\n"
    "                    break\n"
    "                pos = desc_end\n"
    "        for p_type, off, _vaddr, filesz, _align in phdrs:\n"
    "            if p_type != 2:  # PT_DYNAMIC\n"
    "                continue\n"
    "            f.seek(off)\n"
    "            dyn = f.read(filesz)\n"
    "            step = struct.calcsize(dyn_fmt)\n"
    "            strtab = name = None\n"
    "            for pos in range(0, len(dyn) - step + 1, step):\n"
    "                tag, val = struct.unpack_from(dyn_fmt, dyn, pos)\n"
    "                if tag == 0:\n"
    "                    break\n"
    "                if tag == 5:\n"
    "                    strtab = val\n"
    "                elif tag == 14:\n"
    "                    name = val\n"
    "            if strtab is not None and name is not None:\n"
    "                for p2_type, off2, vaddr2, filesz2, _a in phdrs:\n"
    "                    if p2_type == 1 and vaddr2 <= strtab < vaddr2 + filesz2:  # PT_LOAD\n"
    "                        f.seek(off2 + strtab - vaddr2 + name)\n"
    "                        soname = f.read(256).split(b\"\\x00\", 1)[0].decode(\"utf-8\", \"replace\")\n"
    "                        break\n"
    "        return soname, build_id\n"
    "\n"
    "\n"
    "def _mapped_files():\n"
    "    seen = []\n"
    "    with open(\"/proc/self/maps\") as maps:\n"
    "        for line in maps:\n"
    "            parts = line.split(None, 5)\n"
    "            if len(parts) == 6:\n"
    "                path = parts[5].strip()\n"
    "                if path.startswith(\"/\") and path not in seen:\n"
    "                    seen.append(path)\n"
    "    return seen\n"
    "\n"
    "\n"
    "def _find_loaded(name=None):\n"
    "    \"\"\"Path of the mapped file that is the library: by file name first\n"
    "    (SONAME, the baseline's file name, or name), then by DT_SONAME.\"\"\"\n"
    "    files = _mapped_files()\n"
    "    wanted = {SONAME, FILE_NAME}\n"
    "    if name:\n"
    "        wanted.add(os.path.basename(name))\n"
    "    for path in files:\n"
    "        if os.path.basename(path) in wanted:\n"
    "            return path\n"
    "    for path in files:\n"
    "        if \".so\" not in os.path.basename(path):\n"
    "            continue\n"
    "        try:\n"
    "            if _elf_info(path)[0] == SONAME:\n"
    "                return path\n"
    "        except OSError:\n"
    "            pass\n"
    "    return None\n"
    "\n"
    "\n"
    "def _missing_symbol(path, handle):\n"
    "    \"\"\"The first required symbol the loaded library lacks, or None.\"\"\"\n"
    "    if handle is None:\n"
    "        handle = ctypes.CDLL(path, mode=os.RTLD_NOLOAD | os.RTLD_LAZY)\n"
    "    dlvsym = None\n"
    "    for name, version, _fp in SYMBOLS:\n"
    "        if version:\n"
    "            if dlvsym is None:\n"
    "                dlvsym = ctypes.CDLL(None).dlvsym\n"
    "                dlvsym.restype = ctypes.c_void_p\n"
    "                dlvsym.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]\n"
    "            if not dlvsym(handle._handle, name.encode(), version.encode()):\n"
    "                return name + \"@\" + version\n"
    "        elif not hasattr(handle, name):\n"
    "            return name\n"
    "    return None\n"
    "\n"
    "\n"
    "def _verdict(policy, what):\n"
    "    if policy == \"warn\":\n"
    "        msg = what + \"; running anyway (ABIGUARD_POLICY=warn)\"\n"
    "        warnings.warn(msg, RuntimeWarning, stacklevel=3)\n"
    "        return msg\n"
    "    raise AbiGuardError(what + \"; refusing to load (ABIGUARD_POLICY=warn would run anyway)\")\n"
    "\n"
    "\n"
    "def verify(lib_path_or_handle=None):\n"
    "    \"\"\"Checks the loaded library against the release this binding was built\n"
    "    for. lib_path_or_handle: the library's path, a ctypes.CDLL (or cffi\n"
    "    library opened from a path), or None to find it among the loaded files.\n"
    "    Returns a one-line message when the library is accepted; raises\n"
    "    ImportError (AbiGuardError) when refused, or warns (RuntimeWarning) and\n"
    "    returns under ABIGUARD_POLICY=warn.\"\"\"\n"
    "    policy = _policy()\n"
    "    if policy == \"off\":\n"
    "        return SONAME + \": ABI check disabled (ABIGUARD_POLICY=off)\"\n"
    "    handle = path = None\n"
    "    if isinstance(lib_path_or_handle, (str, bytes, os.PathLike)):\n"
    "        path = os.fsdecode(lib_path_or_handle)\n"
    "    elif lib_path_or_handle is not None:\n"
    "        name = getattr(lib_path_or_handle, \"_name\", None)\n"
    "        if isinstance(lib_path_or_handle, ctypes.CDLL):\n"
    "            handle = lib_path_or_handle\n"
    "        path = _find_loaded(name)\n"
    "    if path is None or not os.path.isabs(path):\n"
    "        path = _find_loaded(path) or path\n"
    "    if path is None:\n"
    "        return _verdict(policy, \"%s is not loaded in this process: cannot check it against %s\"\n"
    "                        % (SONAME, BASELINE))\n"
    "    try:\n"
    "        build_id = _elf_info(path)[1]\n"
    "    except OSError:\n"
    "        build_id = None\n"
    "    if build_id in COMPATIBLE:\n"
    "        return \"%s (build-id %s) is %s, compatible with %s this binding was built against\" % (\n"
    "            SONAME, build_id, COMPATIBLE[build_id], BASELINE)\n"
    "    if build_id in INCOMPATIBLE:\n"
    "        release, why = INCOMPATIBLE[build_id]\n"
    "        return _verdict(policy, \"%s (build-id %s) is %s, incompatible with %s this binding was \"\n"
    "                        \"built against: %s\" % (SONAME, build_id, release, BASELINE, why))\n"
    "    try:\n"
    "        missing = _missing_symbol(path, handle)\n"
    "    except OSError as e:\n"
    "        return _verdict(policy, \"%s (%s, build-id %s) is an unverified build and cannot be opened \"\n"
    "                        \"to check its symbols: %s\" % (SONAME, path, build_id or \"none\", e))\n"
    "    if missing:\n"
    "        return _verdict(policy, \"%s (%s, build-id %s) is an unverified build and lacks %s, which \"\n"
    "                        \"this binding (built against %s) requires\"\n"
    "                        % (SONAME, path, build_id or \"none\", missing, BASELINE))\n"
    "    return _verdict(policy, \"%s (%s, build-id %s) is an unverified build: not a release of %s \"\n"
    "                    \"known compatible with %s this binding was built against, though all %d \"\n"
    "                    \"required symbols resolve\"\n"
    "                    % (SONAME, path, build_id or \"none\", LIBRARY, BASELINE, len(SYMBOLS)))\n";

ag_status ag_guard_write_python(const ag_guard_plan *p, const ag_guard_stub_options *o, FILE *f,
                                ag_error *err)
{
    char *fps = ag_guard_fingerprint_text(p);
    if (!fps)
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    char baseline[300];
    snprintf(baseline, sizeof baseline, "%s@%s", p->library, p->baseline);
    const char *so = p->soname ? p->soname : p->file_name;
    fprintf(f,
            "\"\"\"Load-time ABI check of %s for a ctypes/cffi binding built against %s.\n"
            "\n"
            "Generated by abiguard %s (abiguard stub %s --lang python); do not edit,\n"
            "regenerate it. Call verify() once, right after loading the library:\n"
            "\n"
            "    lib = ctypes.CDLL(%s)\n"
            "    %s_guard.verify(lib)   # ImportError if the library is refused\n"
            "\n"
            "The policy (%s) is overridden by ABIGUARD_POLICY=fail|warn|off.\n"
            "\"\"\"\n"
            "import ctypes\n"
            "import os\n"
            "import struct\n"
            "import warnings\n"
            "\n"
            "__all__ = [\"verify\", \"AbiGuardError\", \"FINGERPRINTS\"]\n"
            "\n",
            so, baseline, ABIGUARD_VERSION, baseline, so, o->ident,
            o->policy == AG_POLICY_WARN ? "warn" : "fail");
    fputs("LIBRARY = ", f);
    py_string(f, p->library);
    fputs("\nBASELINE = ", f);
    py_string(f, baseline);
    fputs("\nSONAME = ", f);
    py_string(f, so);
    fputs("\nFILE_NAME = ", f);
    py_string(f, p->file_name);
    fprintf(f, "\nDEFAULT_POLICY = \"%s\"\n\n", o->policy == AG_POLICY_WARN ? "warn" : "fail");
    fputs("# build-id -> release, for the releases known compatible for the symbols used\nCOMPATIBLE = {\n", f);
    for (size_t i = 0; i < p->n_releases; i++) {
        if (!p->releases[i].compatible)
            continue;
        char rel[300];
        snprintf(rel, sizeof rel, "%s@%s", p->library, p->releases[i].version);
        fputs("    ", f);
        py_string(f, p->releases[i].build_id);
        fputs(": ", f);
        py_string(f, rel);
        fputs(",\n", f);
    }
    fputs("}\n# build-id -> (release, first breaking change) for those known incompatible\nINCOMPATIBLE = {\n", f);
    for (size_t i = 0; i < p->n_releases; i++) {
        if (p->releases[i].compatible)
            continue;
        char rel[300];
        snprintf(rel, sizeof rel, "%s@%s", p->library, p->releases[i].version);
        fputs("    ", f);
        py_string(f, p->releases[i].build_id);
        fputs(": (", f);
        py_string(f, rel);
        fputs(", ", f);
        py_string(f, p->releases[i].first_break);
        fputs("),\n", f);
    }
    fputs("}\n# (symbol, required version or None, fingerprint)\nSYMBOLS = [\n", f);
    for (size_t i = 0; i < p->n_symbols; i++) {
        char fp[17];
        snprintf(fp, sizeof fp, "%016llx", (unsigned long long)p->symbols[i].fingerprint);
        fputs("    (", f);
        py_string(f, p->symbols[i].name);
        fputs(", ", f);
        if (p->symbols[i].version)
            py_string(f, p->symbols[i].version);
        else
            fputs("None", f);
        fputs(", ", f);
        py_string(f, fp);
        fputs("),\n", f);
    }
    fputs("]\n# for `abiguard fingerprint match LIBRARY --fingerprints FILE`\nFINGERPRINTS = ", f);
    py_string(f, fps);
    fputs("\n", f);
    free(fps);
    fputs(PY_RUNTIME, f);
    return ferror(f) ? ag_fail(err, AG_ERR_IO, "write error") : AG_OK;
}
