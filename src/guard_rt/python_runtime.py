

class AbiGuardError(ImportError):
    """The loaded library, or the binding's own declarations of its types,
    do not match the release this binding was built against."""


class Verdict(object):
    """What verify() concluded: outcome is "verified", "accepted-unverified",
    "warned" (refused, but ABIGUARD_POLICY=warn) or "off"; message says why."""

    __slots__ = ("outcome", "message")

    def __init__(self, outcome, message):
        self.outcome, self.message = outcome, message

    def __str__(self):
        return self.message

    def __repr__(self):
        return "Verdict(%r, %r)" % (self.outcome, self.message)


def _policy():
    p = os.environ.get("ABIGUARD_POLICY", "")
    return p if p in ("default", "strict", "warn", "off") else DEFAULT_POLICY


# ---- the loaded object, read from memory --------------------------------
# At import what costs is memory and interpreter code touched for the first
# time, and Python-level work; so this part is what the common path runs
# and no more. Memory is read through the FFI the binding itself uses, and
# already loaded: ctypes for a CDLL (a simple type's from_address: no
# ctypes type is created, one costs more than the whole check), the
# _cffi_backend for a cffi library, whose check so does not import ctypes
# (importing it costs several times the check).

_W = 8 if sys.maxsize > 0xffffffff else 4
# ELF class: e_ident[:5]; where e_phoff, e_phentsize and e_phnum are; the
# size of a program header and where p_vaddr, p_memsz, p_align are in it;
# of a symbol, and where st_info, st_shndx and st_size are in it.
if _W == 8:
    _EHDR, _PHDR, _SYM = (b"\x7fELF\x02", 32, 54, 56), (56, 16, 40, 48), (24, 4, 6, 16)
else:
    _EHDR, _PHDR, _SYM = (b"\x7fELF\x01", 28, 42, 44), (32, 8, 20, 28), (16, 12, 14, 8)
# The dynamic tags read: DT_HASH, DT_STRTAB, DT_SYMTAB, DT_STRSZ, DT_SONAME,
# DT_GNU_HASH, DT_VERSYM, DT_VERDEF, DT_VERDEFNUM.
_TAGS = frozenset((4, 5, 6, 10, 14, 0x6ffffef5, 0x6ffffff0, 0x6ffffffc, 0x6ffffffd))
_reader = None  # "ctypes" or "cffi": what _read() last pointed the readers at
_dl_funcs = {}


def _read(ffi_name):
    # Points the readers at ctypes or the _cffi_backend: _at(addr[, n]),
    # a NUL-terminated or n-byte string; _word, _u32, _u16, _u8(addr), an
    # unsigned integer; _fbase(addr), dladdr1's (dli_fbase, link_map) of
    # the object holding addr, (0, 0) if none.
    global _reader, _at, _word, _u32, _u16, _u8, _fbase
    if _reader == ffi_name:
        return
    if ffi_name == "ctypes":
        import ctypes
        _at, _fbase = ctypes.string_at, _ctypes_fbase
        _word, _u32 = _value(ctypes.c_size_t.from_address), _value(ctypes.c_uint32.from_address)
        _u16, _u8 = _value(ctypes.c_uint16.from_address), _value(ctypes.c_uint8.from_address)
    else:
        import _cffi_backend as b
        char = b.new_pointer_type(b.new_primitive_type("char"))
        _at = lambda addr, n=None: b.string(b.cast(char, addr)) if n is None else b.unpack(b.cast(char, addr), n)
        _word, _u32, _u16, _u8 = [_item(b.cast, b.new_pointer_type(b.new_primitive_type(t)))
                                  for t in ("size_t", "uint32_t", "uint16_t", "uint8_t")]
        _fbase = _cffi_fbase
    _reader = ffi_name


def _value(from_address):
    return lambda addr: from_address(addr).value


def _item(cast, pointer):
    return lambda addr: cast(pointer, addr)[0]


def _dl():
    # libc's dlinfo and dladdr1 (libdl.so.2 before glibc 2.34) through
    # ctypes, from the interpreter's own global scope (ctypes.pythonapi,
    # already open) rather than a new CDLL; called with c_void_p arguments
    # (c_void_p and byref come with them).
    if "ctypes" not in _dl_funcs:
        import ctypes
        for lib in (ctypes.pythonapi, "libdl.so.2"):
            try:
                lib = lib if isinstance(lib, ctypes.CDLL) else ctypes.CDLL(lib)
                _dl_funcs["ctypes"] = lib["dlinfo"], lib["dladdr1"], ctypes.c_void_p, ctypes.byref
                break
            except (OSError, AttributeError):
                continue
        else:
            raise OSError("dlinfo is not available")
    return _dl_funcs["ctypes"]


def _ctypes_fbase(addr):
    # dladdr1(addr, RTLD_DL_LINKMAP) through ctypes: Dl_info (four
    # pointers) is written into a bytearray, the link_map into a c_void_p.
    _dlinfo, dladdr1, void_p, byref = _dl()
    info, lm = bytearray(4 * _W), void_p()
    if addr and dladdr1(void_p(addr), byref(void_p.from_buffer(info)), byref(lm), 2):
        return int.from_bytes(info[_W:2 * _W], sys.byteorder), lm.value or 0
    return 0, 0


def _cffi_fbase(addr):
    # The same through the _cffi_backend, dladdr1 found in the program's
    # global scope (libdl.so.2 before glibc 2.34).
    import _cffi_backend as b
    if "cffi" not in _dl_funcs:
        vp, uintptr, c_int = b.new_pointer_type(b.new_void_type()), b.new_primitive_type("uintptr_t"), \
            b.new_primitive_type("int")
        for name in (None, "libdl.so.2"):
            try:
                dladdr1 = b.load_library(name).load_function(b.new_function_type((vp, vp, vp, c_int), c_int, False),
                                                             "dladdr1")
                break
            except (OSError, AttributeError):
                continue
        else:
            raise OSError("dladdr1 is not available")
        _dl_funcs["cffi"] = vp, uintptr, b.new_array_type(b.new_pointer_type(vp), 4), dladdr1
    vp, uintptr, info_t, dladdr1 = _dl_funcs["cffi"]
    info, lm = b.newp(info_t), b.newp(info_t)  # Dl_info is four pointers; the link_map goes in lm[0]
    if addr and dladdr1(b.cast(vp, addr), info, lm, 2):
        return int(b.cast(uintptr, info[1])), int(b.cast(uintptr, lm[0]))
    return 0, 0


def _loaded(lib, ffi):
    # (link_map, fbase) of the object a ctypes CDLL was loaded from (its
    # dlopen handle) or a cffi library resolves its symbols in, or None;
    # of a path: _cold("_loaded_path").
    handle = getattr(lib, "_handle", None)
    if not isinstance(handle, int) or not handle:
        if isinstance(lib, (str, bytes, os.PathLike)):
            return _cold("_loaded_path")(lib, ffi)
        return _cffi_loaded(lib, ffi)
    _read("ctypes")
    dlinfo, _dladdr1, void_p, byref = _dl()
    lm = void_p()
    if dlinfo(void_p(handle), 2, byref(lm)) != 0:  # RTLD_DI_LINKMAP
        return None
    return lm.value, _fbase(_word(lm.value + 2 * _W))[0]  # l_ld is in it


def _cffi_loaded(lib, ffi):
    # The object defining the first required symbol a cffi library resolves
    # (trying first those it already has), through dladdr1.
    try:
        import _cffi_backend as b
    except ImportError:
        return None
    _read("cffi")
    resolved = getattr(lib, "__dict__", None) or ()
    for name, _version, is_object, _size, _fp, _h in sorted(SYMBOLS, key=lambda s: s[0] not in resolved):
        try:
            if is_object and ffi is None:
                continue  # reading it gives its value, not where it is
            p = ffi.addressof(lib, name) if is_object else getattr(lib, name)
            addr = int(b.cast(b.new_primitive_type("uintptr_t"), p))
        except Exception:  # not declared in its cdef, or not found in the library
            continue
        fbase, lm = _fbase(addr)
        return (lm, fbase) if fbase and lm else None
    return None


class _Object(object):
    # A loaded ELF object: lm its struct link_map, whose public head is
    # (l_addr, l_name, l_ld, l_next, l_prev); fbase where its first segment,
    # and so its ELF header, is mapped (dladdr's dli_fbase), or 0: then
    # there is no build-id and the dynamic section is read an entry at a
    # time. The dynamic section is read only when the build-id is unknown.

    def __init__(self, lm, fbase):
        self.lm, self.base, self.ld = lm, _word(lm), _word(lm + 2 * _W)
        self.dyn_size, self.build_id, self._tags = 0, None, None
        if fbase:
            self._headers(fbase)

    @property
    def path(self):
        name = _word(self.lm + _W)
        return (_at(name) if name else b"").decode("utf-8", "replace")

    def _headers(self, fbase):
        # PT_DYNAMIC's size and the build-id (NT_GNU_BUILD_ID in a PT_NOTE)
        # from the program headers, when its PT_DYNAMIC is the one loaded
        # (else the header at fbase is not this object's).
        magic, phoff, phentsize, phnum = _EHDR
        size, vaddr, memsz, align = _PHDR
        if _at(fbase, 5) != magic or _u16(fbase + phentsize) != size:
            return
        n, first = _u16(fbase + phnum), fbase + _word(fbase + phoff)
        notes = []
        for ph in range(first, first + n * size if n <= 256 else first, size):
            p_type = _u32(ph)
            if p_type == 2 and self.base + _word(ph + vaddr) == self.ld:
                self.dyn_size = _word(ph + memsz)
            elif p_type == 4:
                notes.append((self.base + _word(ph + vaddr), _word(ph + memsz),
                              8 if _word(ph + align) == 8 else 4))
        for note, end, a in notes if self.dyn_size else ():
            end += note
            while note + 12 <= end:
                namesz, descsz = _u32(note), _u32(note + 4)
                desc = note + 12 + ((namesz + a - 1) & ~(a - 1))
                if _u32(note + 8) == 3 and note + 16 <= end and _at(note + 12, 4) == b"GNU\x00":
                    if desc + descsz <= end:  # NT_GNU_BUILD_ID, as hex
                        self.build_id = "%0*x" % (2 * descsz, int.from_bytes(_at(desc, descsz), "big")) if descsz else ""
                    return
                note = desc + ((descsz + a - 1) & ~(a - 1))

    # -- the dynamic section and symbol table: for an unknown build --

    @property
    def tags(self):
        # The dynamic section's first value of each tag; strtab and strsz
        # are DT_STRTAB's address and DT_STRSZ.
        if self._tags is None:
            if not self.dyn_size:
                return _cold("_tags_slowly")(self)
            tags = {}
            for d in range(self.ld, self.ld + self.dyn_size - 2 * _W + 1, 2 * _W):
                tag = _word(d)
                if tag == 0:
                    break
                if tag in _TAGS and tag not in tags:
                    tags[tag] = _word(d + _W)
            self.strtab, self.strsz = self._addr(tags.get(5, 0)), tags.get(10, 0)
            self._tags = tags
        return self._tags

    @property
    def soname(self):
        tags = self.tags
        return self._str(tags[14]) if 14 in tags and self.strtab else None

    def _is(self, off, s):
        # Whether the string at off in DT_STRTAB is s (a read of its length).
        s = s.encode() + b"\0"
        return off + len(s) <= self.strsz and _at(self.strtab + off, len(s)) == s

    def _addr(self, v):
        # glibc relocates most entries in place; DT_VERDEF keeps its link-time value.
        return v + self.base if v and v < self.base else v

    def _str(self, off):
        return _at(self.strtab + off).decode("utf-8", "replace") if off < self.strsz else None

    def compare(self):
        # (the first difference from the baseline or None, the number of
        # data objects checked): its SONAME, every required symbol at its
        # version (found through the GNU hash table; DT_HASH, rare, in
        # _cold), the data objects' sizes.
        tags = self.tags
        if SONAME_REQUIRED and not (14 in tags and self.strtab and self._is(tags[14], SONAME)):
            return ("its SONAME is %s, not %s" % ("'%s'" % self.soname if self.soname else "missing", SONAME)), 0
        self.symtab, self.versym = self._addr(tags.get(6, 0)), self._addr(tags.get(0x6ffffff0, 0))
        gnu, sysv = self._addr(tags.get(0x6ffffef5, 0)), self._addr(tags.get(4, 0))
        if SYMBOLS and not (self.symtab and (gnu or sysv)):
            return "its dynamic symbol table has no hash table to look %s up in" % SYMBOLS[0][0], 0
        self.versions = {}  # .gnu.version index -> its name's offset (1, the base entry, names the object)
        p = self._addr(tags.get(0x6ffffffc, 0)) if self.versym else 0  # DT_VERDEF
        for _ in range(tags.get(0x6ffffffd, 0) if p else 0):  # DT_VERDEFNUM
            ndx = _u16(p + 4)
            if _u16(p + 6) and ndx >= 2:  # vd_cnt: its name is the first Verdaux's
                self.versions[ndx] = _u32(p + _u32(p + 12))
            if not _u32(p + 16):  # vd_next
                break
            p += _u32(p + 16)
        if gnu:  # nbuckets, symoffset, bloom_size, then the bloom filter, buckets, chains
            nbuckets, symoffset = _u32(gnu), _u32(gnu + 4)
            buckets = gnu + 16 + _u32(gnu + 8) * _W
            chain = buckets + 4 * (nbuckets - symoffset)
        objects = 0
        for name, version, is_object, size, _fp, h in SYMBOLS:
            got, other = None, []
            if gnu:  # the chain of h's bucket, to the entry with bit 0 set
                i = _u32(buckets + 4 * (h % nbuckets)) if nbuckets else -1
                while got is None and i >= symoffset:
                    h2 = _u32(chain + 4 * i)
                    if h2 | 1 == h | 1:
                        got = self._defines(i, name, version, other)
                    i = -1 if h2 & 1 else i + 1
            else:
                got = _cold("_find_sysv")(self, name, version, other)
            if got is None:
                return "it lacks %s%s%s" % (name, "@" + version if version else "",
                                            " (it has %s)" % self._str(other[0]) if other else ""), objects
            if is_object:
                if got != size:
                    return "its %s is a %d-byte object, %d bytes in %s" % (name, got, size, BASELINE), objects
                objects += 1
        return None, objects

    def _defines(self, i, name, version, other):
        # st_size of symbol i if it defines name (global or weak) at version
        # (or as the default one), else None; other collects the versions
        # of name that did not fit (their names' offsets).
        size, info, shndx, st_size = _SYM
        sym = self.symtab + i * size
        if not _u16(sym + shndx) or _u8(sym + info) < 16 or not self._is(_u32(sym), name):
            return None
        vs = _u16(self.versym + 2 * i) if self.versym else 1
        if not vs & 0x7fff:
            return None
        voff = self.versions.get(vs & 0x7fff)
        if (voff is not None and self._is(voff, version)) if version else vs < 0x8000:  # bit 15: hidden
            return _word(sym + st_size)
        if voff is not None:
            other.append(voff)
        return None


def verify(lib=None, ffi=None):
    """Checks the loaded library against the release this binding was built
    for. lib: the ctypes.CDLL (or cffi library: pass its ffi too when the
    binding uses data objects) the binding loaded, a path, or None to look
    for the library among the loaded objects. Returns a Verdict ("verified"
    or "accepted-unverified", with the reason); raises AbiGuardError (an
    ImportError) when the library is refused, or warns (RuntimeWarning) and
    returns a "warned" Verdict under ABIGUARD_POLICY=warn."""
    policy = _policy()
    if policy == "off":
        return Verdict("off", SONAME + ": ABI check disabled (ABIGUARD_POLICY=off)")
    try:
        found = _cold("_search")() if lib is None else _loaded(lib, ffi)
    except OSError as e:
        return _cold("_refuse")(policy, "%s: cannot find the loaded library: %s" % (SONAME, e))
    if found is None:
        return _cold("_not_loaded")(policy)
    o = _Object(*found)
    build_id = o.build_id
    if build_id in COMPATIBLE:
        return Verdict("verified", "%s (build-id %s) is %s, verified compatible with %s this binding "
                       "was built against" % (SONAME, build_id, COMPATIBLE[build_id], BASELINE))
    if build_id in INCOMPATIBLE:
        return _cold("_refuse_build")(policy, o, None)
    problem, objects = o.compare()
    if problem:
        return _cold("_refuse_build")(policy, o, problem)
    what = ("%s (%s, build-id %s) is an unverified build: not a release of %s known when this guard "
            "was generated, but its SONAME%s all %d required symbols and versions%s match %s"
            % (SONAME, o.path, build_id or "none", LIBRARY, "," if objects else " and", len(SYMBOLS),
               " and the sizes of its %d data objects" % objects if objects else "", BASELINE))
    if policy == "strict":
        return _cold("_refuse")(policy, what, True)
    return Verdict("accepted-unverified", what + "; accepted unverified (ABIGUARD_POLICY=strict would "
                   "refuse it)")


# ---- the binding's own declarations --------------------------------------

def _ctypes_fields(decl):
    # A ctypes Structure or Union class's members as LAYOUTS writes them.
    import ctypes
    fields = []
    for f in decl._fields_:
        d = getattr(decl, f[0])
        if hasattr(d, "bit_size"):  # Python 3.13+
            if getattr(d, "is_bitfield", False):
                fields.append((f[0], d.byte_offset, d.byte_size, d.byte_offset * 8 + d.bit_offset, d.bit_size))
            else:
                fields.append((f[0], d.offset, d.size, d.offset * 8, 0))
        elif len(f) > 2:  # a bit-field: size is (bits << 16) | bit offset in its unit
            fields.append((f[0], d.offset, ctypes.sizeof(f[1]), d.offset * 8 + (d.size & 0xffff), d.size >> 16))
        else:
            fields.append((f[0], d.offset, d.size, d.offset * 8, 0))
    return tuple(fields)


def _is_cffi_type(x):
    return type(x).__name__ == "CType" and type(x).__module__ == "_cffi_backend"


def _cffi_layout(ct):
    # A cffi struct or union type's (size, alignment, members as LAYOUTS
    # writes them).
    import _cffi_backend
    fields = []
    for name, f in ct.fields or ():
        bits = f.bitsize if f.bitsize >= 0 else 0
        fields.append((name, f.offset, _cffi_backend.sizeof(f.type),
                       f.offset * 8 + (f.bitshift if bits else 0), bits))
    return _cffi_backend.sizeof(ct), _cffi_backend.alignof(ct), tuple(fields)


def _cffi_type(ffi, cname):
    # ffi.typeof(cname), but for an in-line (ABI mode) FFI taken from its
    # cdef's declarations: typeof parses cname with pycparser, which costs
    # a millisecond a type. None when the cdef does not declare it.
    declarations = getattr(getattr(ffi, "_parser", None), "_declarations", None)
    if isinstance(declarations, dict) and hasattr(ffi, "_get_cached_btype"):
        d = declarations.get(cname if cname.split(" ")[0] in ("struct", "union", "enum") else "typedef " + cname)
        if d is None:
            return None
        try:
            with ffi._lock:
                return ffi._get_cached_btype(d[0])
        except Exception:  # not what this version of cffi keeps there: ask typeof
            pass
    try:
        return ffi.typeof(cname)
    except Exception:
        return None


def _cffi_declared(ffi):
    # verify_layouts(ffi=ffi): every type of LAYOUTS its cdef declares (a
    # struct or union with its members).
    if ffi is None:
        raise ValueError("verify_layouts: give the declarations, or ffi=")
    declared = {}
    for cname, (kind, _size, _align, _body) in LAYOUTS.items():
        ct = _cffi_type(ffi, cname)
        if ct is None or (kind in ("struct", "union") and ct.kind in ("struct", "union") and ct.fields is None):
            continue
        declared[cname] = ct
    return declared


def _fits(cname, decl):
    # Whether a ctypes or cffi type (or a dict of an enum's constants)
    # matches LAYOUTS[cname] in every respect; False also for what is not
    # looked at here (a type name, an IntEnum, a name not in LAYOUTS),
    # which _cold("_layouts_differ") then does in full.
    kind, size, align, body = LAYOUTS.get(cname) or (None, 0, 0, None)
    if isinstance(decl, dict):
        if not isinstance(body, dict):
            return False
        for k, v in decl.items():
            if k not in body or body[k] != v:
                return False
        return True
    if kind is None:
        return False
    if _is_cffi_type(decl):
        import _cffi_backend
        if decl.kind in ("struct", "union"):
            if decl.fields is None:
                return False
            gsize, galign, gfields = _cffi_layout(decl)
            return (gsize == size and (not align or galign == align)
                    and (kind not in ("struct", "union") or gfields == tuple(body)))
        if decl.kind == "enum" and (kind != "enum" or not isinstance(body, dict)
                                    or not _fits(cname, dict(decl.relements))):
            return False
        return _cffi_backend.sizeof(decl) == size
    ctypes = sys.modules.get("ctypes")  # a ctypes type exists only once it is imported
    if not isinstance(decl, type) or ctypes is None:
        return False
    if issubclass(decl, (ctypes.Structure, ctypes.Union)):
        return (ctypes.sizeof(decl) == size and (not align or ctypes.alignment(decl) == align)
                and (kind not in ("struct", "union") or _ctypes_fields(decl) == tuple(body)))
    return issubclass(decl, (ctypes._SimpleCData, ctypes._Pointer, ctypes.Array)) and ctypes.sizeof(decl) == size


def verify_layouts(declared=None, ffi=None):
    """Compares the binding's own declarations with the baseline's layouts.
    declared maps a C type name ("struct geo_point", "enum geo_kind", a
    typedef) to a ctypes Structure/Union class or simple type, a cffi type
    (or its name, with ffi), or for an enum a dict of its constants (or an
    IntEnum). With ffi and no dict, every type of LAYOUTS the ffi declares
    is checked. Each mismatch names the member, both offsets and both sizes.
    Returns the number of types checked; raises AbiGuardError on a mismatch
    (a RuntimeWarning under ABIGUARD_POLICY=warn; nothing under off), and
    ValueError for a name that is not in LAYOUTS."""
    policy = _policy()
    if policy == "off":
        return 0
    if declared is None:
        declared = _cffi_declared(ffi)
    for cname, decl in declared.items():
        if isinstance(decl, str) and ffi is not None:
            decl = _cffi_type(ffi, decl) or decl
        if not _fits(cname, decl):
            _cold("_layouts_differ")(policy, declared, ffi)
            break
    return len(declared)


# ---- what only a refusal, a mismatch, cffi or a rare case needs -----------

def _cold(name):
    # A function of _COLD below: what the common path does not run is
    # source text, compiled when first needed, at its own line numbers in
    # this file, rather than code every import unmarshals: unmarshalling is
    # most of what importing a module costs. Only that function is compiled
    # (then each function of _COLD it names, the same way): compiling all of
    # it costs milliseconds, which a cffi binding's first check would pay.
    g = globals()
    if name not in g:
        at = _COLD.index("\ndef %s(" % name) + 1
        end = _COLD.find("\ndef ", at)
        text = _COLD[at:] if end < 0 else _COLD[at:end + 1]
        exec(compile("\n" * (_cold.__code__.co_firstlineno + 23 + _COLD.count("\n", 0, at)) + text,
                     __file__, "exec"), g)
        codes = [g[name].__code__]
        while codes:
            code = codes.pop()
            codes.extend(c for c in code.co_consts if hasattr(c, "co_names"))
            for n in code.co_names:
                if n not in g and "\ndef %s(" % n in _COLD:
                    _cold(n)
    return g[name]


_COLD = r'''
def _refuse(policy, what, strict=False, level=3):
    # level: the warning's stacklevel, 3 when called from verify() itself.
    if policy == "warn":
        import warnings
        msg = what + "; running anyway (ABIGUARD_POLICY=warn)"
        warnings.warn(msg, RuntimeWarning, stacklevel=level)
        return Verdict("warned", msg)
    if strict:
        raise AbiGuardError(what + "; refusing to load under the strict policy "
                            "(ABIGUARD_POLICY=default would accept it)")
    raise AbiGuardError(what + "; refusing to load (ABIGUARD_POLICY=warn would run anyway)")


def _not_loaded(policy):
    return _refuse(policy, "%s is not loaded in this process: cannot check it against %s" % (SONAME, BASELINE),
                   level=4)


def _refuse_build(policy, o, problem):
    # A release known incompatible, or an unknown build that differs (problem).
    if o.build_id in INCOMPATIBLE:
        release, why = INCOMPATIBLE[o.build_id]
        return _refuse(policy, "%s (build-id %s) is %s, incompatible with %s this binding was built "
                       "against: %s" % (SONAME, o.build_id, release, BASELINE, why), level=4)
    return _refuse(policy, "%s (%s, build-id %s) is an unknown build that does not match %s this "
                   "binding was built against: %s" % (SONAME, o.path, o.build_id or "none", BASELINE, problem),
                   level=4)


# -- finding the object: a path, or none given --

def _loaded_path(lib, ffi):
    # _loaded() of a path or name: dlopen(RTLD_NOLOAD) finds it if loaded.
    import ctypes
    try:
        lib = ctypes.CDLL(os.fsdecode(lib), mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
    except OSError:
        return None
    return _loaded(lib, ffi)


def _search():
    # (link_map, fbase) of the object whose SONAME (else file name) is the
    # library's, among those loaded, from the interpreter's own link map.
    import ctypes
    _read("ctypes")
    lm = ctypes.c_void_p()
    if _dl()[0](ctypes.c_void_p(ctypes.pythonapi._handle), 2, ctypes.byref(lm)) != 0:  # RTLD_DI_LINKMAP
        return None
    node = lm.value
    while _word(node + 4 * _W):  # l_prev
        node = _word(node + 4 * _W)
    found = None
    for _ in range(100000):
        o = _Object(node, 0)
        if o.soname == SONAME:
            found = node
            break
        if found is None and os.path.basename(o.path) in (SONAME, FILE_NAME):
            found = node
        node = _word(node + 3 * _W)  # l_next
        if not node:
            break
    return (found, _fbase(_word(found + 2 * _W))[0]) if found else None


# -- the dynamic section without PT_DYNAMIC's size; DT_HASH --

def _tags_slowly(o):
    # The dynamic section an entry at a time, no read past DT_NULL.
    tags = {}
    for i in range(4096 if o.ld else 0):
        tag = _word(o.ld + 2 * _W * i)
        if tag == 0:
            break
        tags.setdefault(tag, _word(o.ld + 2 * _W * i + _W))
    o.strtab, o.strsz = o._addr(tags.get(5, 0)), tags.get(10, 0)
    o._tags = tags
    return tags


def _find_sysv(o, name, version, other):
    # _Object.compare()'s look-up through a DT_HASH (SysV) table.
    sysv = o._addr(o.tags.get(4, 0))
    nbucket, nchain = _u32(sysv), _u32(sysv + 4)
    h = 0
    for ch in name.encode():
        h = ((h << 4) + ch) & 0xffffffff
        g = h & 0xf0000000
        if g:
            h ^= g >> 24
        h &= ~g & 0xffffffff
    if not nbucket:
        return None
    i = _u32(sysv + 8 + 4 * (h % nbucket))
    steps = 0
    while i and i < nchain and steps < nchain:
        size = o._defines(i, name, version, other)
        if size is not None:
            return size
        i = _u32(sysv + 8 + 4 * nbucket + 4 * i)
        steps += 1
    return None


# -- the binding's declarations: what differs --

def _compare_fields(cname, got, want, problems):
    want_names = [w[0] for w in want]
    got_names = [g[0] for g in got]
    used = set()
    for i, g in enumerate(got):
        if g[0] in want_names:
            w = want[want_names.index(g[0])]
        elif i < len(want) and want[i][0] not in got_names:
            w = want[i]  # the binding calls it something else
        else:
            problems.append("%s: the binding declares a member %s that %s does not have"
                            % (cname, g[0], BASELINE))
            continue
        used.add(w[0])
        label = "%s::%s" % (cname, w[0]) + ("" if g[0] == w[0] else " (the binding's %s)" % g[0])
        if w[4] or g[4]:
            if (g[3], g[4]) != (w[3], w[4]):
                problems.append("%s is at bit %d (%d bits) in the binding's declaration, at bit %d "
                                "(%d bits) in %s" % (label, g[3], g[4], w[3], w[4], BASELINE))
        elif (g[1], g[2]) != (w[1], w[2]):
            problems.append("%s is at offset %d (%d bytes) in the binding's declaration, at offset %d "
                            "(%d bytes) in %s" % (label, g[1], g[2], w[1], w[2], BASELINE))
    for w in want:
        if w[0] not in used:
            problems.append("%s::%s is not in the binding's declaration (offset %d, %d bytes in %s)"
                            % (cname, w[0], w[1], w[2], BASELINE))


def _check_one(cname, decl, ffi, problems):
    # What differs between one declaration and LAYOUTS[cname], in words.
    kind, size, align, body = LAYOUTS[cname]
    if isinstance(decl, str):
        if ffi is None:
            raise ValueError("%s: a type name needs ffi=" % cname)
        decl = _cffi_type(ffi, decl) or ffi.typeof(decl)  # typeof: its error for a name it does not know
    ctypes = sys.modules.get("ctypes")
    if kind == "enum" and not (ctypes and isinstance(decl, type(ctypes.c_int))) and not _is_cffi_type(decl):
        if isinstance(decl, dict):
            values = decl
        else:  # an enum.IntEnum, or any iterable of members
            values = dict((m.name, int(m.value)) for m in decl)
        for k, v in sorted(values.items()):
            if k not in body:
                problems.append("%s: %s is not an enumerator of it in %s" % (cname, k, BASELINE))
            elif body[k] != v:
                problems.append("%s: %s is %d in the binding, %d in %s" % (cname, k, v, body[k], BASELINE))
        return
    if _is_cffi_type(decl):
        import _cffi_backend
        if decl.kind in ("struct", "union"):
            if decl.fields is None:
                problems.append("%s: the binding's cdef declares it without members" % cname)
                return
            gsize, galign, gfields = _cffi_layout(decl)
        else:
            gsize, galign, gfields = _cffi_backend.sizeof(decl), None, None
            if decl.kind == "enum":
                _check_one(cname, dict(decl.relements), ffi, problems)
    elif ctypes and isinstance(decl, type) and issubclass(decl, (ctypes.Structure, ctypes.Union)):
        gsize, galign, gfields = ctypes.sizeof(decl), ctypes.alignment(decl), _ctypes_fields(decl)
    else:  # a ctypes simple type, pointer or array: its size
        import ctypes
        gsize, galign, gfields = ctypes.sizeof(decl), None, None
    if gsize != size:
        problems.append("%s is %d bytes in the binding's declaration, %d in %s" % (cname, gsize, size, BASELINE))
    if galign is not None and align and galign != align:
        problems.append("%s is aligned to %d bytes in the binding's declaration, %d in %s"
                        % (cname, galign, align, BASELINE))
    if gfields is not None and kind in ("struct", "union") and gfields != tuple(body):
        _compare_fields(cname, gfields, body, problems)


def _layouts_differ(policy, declared, ffi):
    # verify_layouts() beyond its own _fits(): each declaration compared in
    # full; refused if anything differs.
    problems = []
    for cname, decl in declared.items():
        if cname not in LAYOUTS:
            raise ValueError("%s: not one of the types the symbols this guard checks reach in %s: %s"
                             % (cname, BASELINE, ", ".join(sorted(LAYOUTS))))
        _check_one(cname, decl, ffi, problems)
    if problems:
        _refuse(policy, "the binding's declarations do not match %s: %s" % (BASELINE, "; ".join(problems)),
                level=4)
'''
