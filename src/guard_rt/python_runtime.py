

class AbiGuardError(ImportError):
    """The loaded library, or the binding's own declarations of its types,
    do not match the release this binding was built against."""


class Verdict(object):
    """What verify() concluded: outcome is "verified", "accepted-unverified",
    "warned" (refused, but ABIGUARD_POLICY=warn) or "off"; message says why."""

    __slots__ = ("outcome", "message")

    def __init__(self, outcome, message):
        self.outcome = outcome
        self.message = message

    def __str__(self):
        return self.message

    def __repr__(self):
        return "Verdict(%r, %r)" % (self.outcome, self.message)


def _policy():
    p = os.environ.get("ABIGUARD_POLICY", "")
    return p if p in ("default", "strict", "warn", "off") else DEFAULT_POLICY


def _refuse(policy, what, strict=False):
    if policy == "warn":
        import warnings  # only here: importing it costs a binding's import time
        msg = what + "; running anyway (ABIGUARD_POLICY=warn)"
        warnings.warn(msg, RuntimeWarning, stacklevel=3)
        return Verdict("warned", msg)
    if strict:
        raise AbiGuardError(what + "; refusing to load under the strict policy "
                            "(ABIGUARD_POLICY=default would accept it)")
    raise AbiGuardError(what + "; refusing to load (ABIGUARD_POLICY=warn would run anyway)")


# ---- the loaded object, read from memory --------------------------------
# Each read is one ctypes.string_at of a whole table, unpacked with struct:
# the check runs at import, where every Python-level call counts.

_W = ctypes.sizeof(ctypes.c_void_p)
_E = "<" if sys.byteorder == "little" else ">"
_DYN = _E + ("qQ" if _W == 8 else "iI")
_SYM = _E + ("IBBHQQ" if _W == 8 else "IIIBBH")
_SYM_SIZE = struct.calcsize(_SYM)
_at = ctypes.string_at
_dl_funcs = []


def _dl():
    # libc's dlinfo and dladdr1 (libdl.so.2 before glibc 2.34), found
    # through the interpreter's own global scope (ctypes.pythonapi, already
    # open) rather than a new CDLL.
    if not _dl_funcs:
        for lib in (ctypes.pythonapi, None, "libdl.so.2"):
            try:
                lib = lib if isinstance(lib, ctypes.CDLL) else ctypes.CDLL(lib)
                dlinfo, dladdr1 = lib["dlinfo"], lib["dladdr1"]
                break
            except (OSError, AttributeError):
                continue
        else:
            raise OSError("dlinfo is not available")
        dlinfo.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
        dladdr1.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
        _dl_funcs[:] = [dlinfo, dladdr1]
    return _dl_funcs


def _link_map(addr):
    # The public head of glibc's struct link_map: (l_addr, l_name, l_ld,
    # l_next, l_prev), l_name as bytes.
    m = struct.unpack(_E + ("5Q" if _W == 8 else "5I"), _at(addr, 5 * _W))
    return (m[0], _at(m[1]) if m[1] else b"") + m[2:]


def _u32s(addr, n):
    return struct.unpack(_E + "%dI" % n, _at(addr, 4 * n))


class _Object(object):
    # A loaded ELF object: its name, dynamic section, SONAME and build-id.
    # fbase is where its first segment, and so its ELF header, is mapped
    # (dladdr's dli_fbase); without it the dynamic section is read an entry
    # at a time and there is no build-id. The dynamic section is read when
    # first needed: a known build-id decides without it.

    def __init__(self, lm, fbase=None):
        self.base, name, self.ld = lm[0], lm[1], lm[2] or 0
        self.path = name.decode("utf-8", "replace")
        self.notes, self._dyn_size = self._phdrs(fbase) if fbase else ((), 0)
        self._tags = None
        self._versions = None

    @property
    def tags(self):
        if self._tags is None:
            tags = {}
            step = 2 * _W
            if self._dyn_size:  # PT_DYNAMIC says how long it is: one read
                for tag, val in struct.iter_unpack(_DYN, _at(self.ld, self._dyn_size - self._dyn_size % step)):
                    if tag == 0:
                        break
                    tags.setdefault(tag, val)
            else:
                for i in range(4096 if self.ld else 0):  # one entry at a time: no read past DT_NULL
                    tag, val = struct.unpack(_DYN, _at(self.ld + i * step, step))
                    if tag == 0:
                        break
                    tags.setdefault(tag, val)
            self._tags = tags
            self.strtab = self._addr(tags.get(5, 0))
            self.strsz = tags.get(10, 0)
        return self._tags

    @property
    def soname(self):
        tags = self.tags
        return self._str(tags[14]) if 14 in tags and self.strtab else None

    def _addr(self, v):
        # glibc relocates most entries in place; DT_VERDEF keeps its link-time value.
        return v + self.base if v and v < self.base else v

    def _str(self, off):
        return _at(self.strtab + off).decode("utf-8", "replace") if off < self.strsz else None

    def _phdrs(self, fbase):
        # ([(PT_NOTE address, size, alignment)], PT_DYNAMIC's size) from the
        # program headers; ((), 0) unless its PT_DYNAMIC is the one loaded.
        ehdr = _at(fbase, 52 if _W == 4 else 64)
        if ehdr[:4] != b"\x7fELF" or ehdr[4] != (2 if _W == 8 else 1):
            return (), 0
        if _W == 8:  # e_phoff; e_phentsize, e_phnum
            phoff, = struct.unpack_from(_E + "Q", ehdr, 32)
            phentsize, phnum = struct.unpack_from(_E + "HH", ehdr, 54)
            ph_fmt = _E + "IIQQQQQQ"  # type, flags, offset, vaddr, paddr, filesz, memsz, align
            t, v, m, a = 0, 3, 6, 7
        else:
            phoff, = struct.unpack_from(_E + "I", ehdr, 28)
            phentsize, phnum = struct.unpack_from(_E + "HH", ehdr, 42)
            ph_fmt = _E + "IIIIIIII"  # type, offset, vaddr, paddr, filesz, memsz, flags, align
            t, v, m, a = 0, 2, 5, 7
        if phnum == 0 or phnum > 256 or phentsize != struct.calcsize(ph_fmt):
            return (), 0
        notes, dyn_size = [], 0
        for ph in struct.iter_unpack(ph_fmt, _at(fbase + phoff, phentsize * phnum)):
            if ph[t] == 2 and self.base + ph[v] == self.ld:
                dyn_size = ph[m]
            elif ph[t] == 4:
                notes.append((self.base + ph[v], ph[m], 8 if ph[a] == 8 else 4))
        return (notes, dyn_size) if dyn_size else ((), 0)

    @property
    def build_id(self):
        # NT_GNU_BUILD_ID from its PT_NOTE segments, or None.
        for addr, memsz, a in self.notes:
            data = _at(addr, memsz)
            pos = 0
            while pos + 12 <= len(data):
                namesz, descsz, ntype = struct.unpack_from(_E + "III", data, pos)
                name_end = pos + 12 + ((namesz + a - 1) & ~(a - 1))
                if ntype == 3 and data[pos + 12:pos + 16] == b"GNU\x00":  # NT_GNU_BUILD_ID
                    return data[name_end:name_end + descsz].hex()
                pos = name_end + ((descsz + a - 1) & ~(a - 1))
        return None

    # -- the dynamic symbol table --

    def _version_name(self, idx):
        if self._versions is None:  # read .gnu.version_d once: index -> name
            self._versions = {}
            p = self._addr(self.tags.get(0x6ffffffc, 0))  # DT_VERDEF
            for _ in range(self.tags.get(0x6ffffffd, 0) if p else 0):  # DT_VERDEFNUM
                _v, _flags, ndx, cnt, _hash, aux, nxt = struct.unpack(_E + "HHHHIII", _at(p, 20))
                if cnt:
                    self._versions[ndx] = self._str(_u32s(p + aux, 1)[0])
                if not nxt:
                    break
                p += nxt
        return self._versions.get(idx)

    def _defines(self, i, name, version, other):
        v = struct.unpack(_SYM, _at(self.symtab + i * _SYM_SIZE, _SYM_SIZE))
        if _W == 8:
            st_name, st_info, st_shndx, st_size = v[0], v[1], v[3], v[5]
        else:
            st_name, st_size, st_info, st_shndx = v[0], v[2], v[3], v[5]
        if st_shndx == 0 or st_info >> 4 == 0 or self._str(st_name) != name:
            return None
        vname, hidden = None, False
        if self.versym:
            vs = struct.unpack(_E + "H", _at(self.versym + 2 * i, 2))[0]
            hidden, vs = bool(vs & 0x8000), vs & 0x7fff
            if vs == 0:
                return None
            if vs >= 2:
                vname = self._version_name(vs)
        if (vname == version) if version else not hidden:
            return st_size
        if vname:
            other.append(vname)
        return None

    def lookup(self, name, version, other):
        # st_size of name's definition (at version, or the default one), or
        # None; other collects versions that did not fit. KeyError: no hash table.
        tags = self.tags
        self.symtab = self._addr(tags.get(6, 0))
        self.versym = self._addr(tags.get(0x6ffffff0, 0))
        gnu, sysv = self._addr(tags.get(0x6ffffef5, 0)), self._addr(tags.get(4, 0))
        if self.symtab and gnu:
            nbuckets, symoffset, bloom_size, _shift = _u32s(gnu, 4)
            buckets = gnu + 16 + bloom_size * _W
            chain = buckets + 4 * nbuckets
            h = 5381
            for ch in name.encode():
                h = (h * 33 + ch) & 0xffffffff
            if not nbuckets:
                return None
            i = _u32s(buckets + 4 * (h % nbuckets), 1)[0]
            if i < symoffset:
                return None
            while True:
                h2 = _u32s(chain + 4 * (i - symoffset), 1)[0]
                if h2 | 1 == h | 1:
                    size = self._defines(i, name, version, other)
                    if size is not None:
                        return size
                if h2 & 1:
                    return None
                i += 1
        if self.symtab and sysv:
            nbucket, nchain = _u32s(sysv, 2)
            h = 0
            for ch in name.encode():
                h = ((h << 4) + ch) & 0xffffffff
                g = h & 0xf0000000
                if g:
                    h ^= g >> 24
                h &= ~g & 0xffffffff
            if not nbucket:
                return None
            i = _u32s(sysv + 8 + 4 * (h % nbucket), 1)[0]
            steps = 0
            while i and i < nchain and steps < nchain:
                size = self._defines(i, name, version, other)
                if size is not None:
                    return size
                i = _u32s(sysv + 8 + 4 * nbucket + 4 * i, 1)[0]
                steps += 1
            return None
        raise KeyError(name)

    def compare(self):
        # (first difference from the baseline or None, data objects checked).
        if SONAME_REQUIRED and self.soname != SONAME:
            return ("its SONAME is %s, not %s" % ("'%s'" % self.soname if self.soname else "missing",
                                                  SONAME)), 0
        objects = 0
        for name, version, is_object, size, _fp in SYMBOLS:
            other = []
            try:
                got = self.lookup(name, version, other)
            except KeyError:
                return "its dynamic symbol table has no hash table to look %s up in" % name, objects
            if got is None:
                return "it lacks %s%s%s" % (name, "@" + version if version else "",
                                            " (it has %s)" % other[0] if other else ""), objects
            if is_object:
                if got != size:
                    return "its %s is a %d-byte object, %d bytes in %s" % (name, got, size, BASELINE), objects
                objects += 1
        return None, objects


def _cffi_address(lib, ffi):
    # The address of the first required symbol a cffi library resolves.
    import _cffi_backend
    uintptr = _cffi_backend.new_primitive_type("uintptr_t")
    for name, _version, is_object, _size, _fp in SYMBOLS:
        try:
            if is_object and ffi is None:
                continue  # reading it gives its value, not where it is
            p = ffi.addressof(lib, name) if is_object else getattr(lib, name)
            return int(_cffi_backend.cast(uintptr, p))
        except Exception:  # not declared in its cdef, or not found in the library
            continue
    return None


def _loaded(lib, ffi):
    # The _Object lib was loaded from: a ctypes CDLL (its dlopen handle),
    # a cffi library (the object defining a symbol it resolved), a path or
    # name (dlopen(RTLD_NOLOAD)), or None (the object whose SONAME or file
    # name is the library's, among those loaded).
    dlinfo, dladdr1 = _dl()
    lm = ctypes.c_void_p()
    info = (ctypes.c_void_p * 4)()  # Dl_info: dli_fname, dli_fbase, dli_sname, dli_saddr
    if lib is None:
        if dlinfo(ctypes.pythonapi._handle, 2, ctypes.byref(lm)) != 0:  # RTLD_DI_LINKMAP
            return None
        node = _link_map(lm.value)
        while node[4]:  # l_prev
            node = _link_map(node[4])
        found = None
        for _ in range(100000):
            o = _Object(node)
            if o.soname == SONAME:
                found = node
                break
            if found is None and os.path.basename(o.path) in (SONAME, FILE_NAME):
                found = node
            if not node[3]:  # l_next
                break
            node = _link_map(node[3])
        if not found:
            return None
        return _Object(found, info[1] if found[2] and dladdr1(found[2], info, ctypes.byref(ctypes.c_void_p()), 2)
                       else None)
    if isinstance(lib, (str, bytes, os.PathLike)):
        try:
            lib = ctypes.CDLL(os.fsdecode(lib), mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
        except OSError:
            return None
    handle = getattr(lib, "_handle", None)
    if isinstance(handle, int) and handle:
        if dlinfo(handle, 2, ctypes.byref(lm)) != 0:
            return None
        m = _link_map(lm.value)
        if not m[2] or not dladdr1(m[2], info, ctypes.byref(ctypes.c_void_p()), 2):
            return _Object(m)
        return _Object(m, info[1])
    addr = _cffi_address(lib, ffi)
    if addr is None or not dladdr1(addr, info, ctypes.byref(lm), 2):  # RTLD_DL_LINKMAP
        return None
    return _Object(_link_map(lm.value), info[1])


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
        o = _loaded(lib, ffi)
    except OSError as e:
        return _refuse(policy, "%s: cannot find the loaded library: %s" % (SONAME, e))
    if o is None:
        return _refuse(policy, "%s is not loaded in this process: cannot check it against %s"
                       % (SONAME, BASELINE))
    build_id = o.build_id
    if build_id in COMPATIBLE:
        return Verdict("verified", "%s (build-id %s) is %s, verified compatible with %s this binding "
                       "was built against" % (SONAME, build_id, COMPATIBLE[build_id], BASELINE))
    if build_id in INCOMPATIBLE:
        release, why = INCOMPATIBLE[build_id]
        return _refuse(policy, "%s (build-id %s) is %s, incompatible with %s this binding was built "
                       "against: %s" % (SONAME, build_id, release, BASELINE, why))
    problem, objects = o.compare()
    if problem:
        return _refuse(policy, "%s (%s, build-id %s) is an unknown build that does not match %s this "
                       "binding was built against: %s" % (SONAME, o.path, build_id or "none", BASELINE,
                                                          problem))
    what = ("%s (%s, build-id %s) is an unverified build: not a release of %s known when this guard "
            "was generated, but its SONAME%s all %d required symbols and versions%s match %s"
            % (SONAME, o.path, build_id or "none", LIBRARY, "," if objects else " and", len(SYMBOLS),
               " and the sizes of its %d data objects" % objects if objects else "", BASELINE))
    if policy == "strict":
        return _refuse(policy, what, strict=True)
    return Verdict("accepted-unverified", what + "; accepted unverified (ABIGUARD_POLICY=strict would "
                   "refuse it)")


# ---- the binding's own declarations --------------------------------------

def _ctypes_layout(decl):
    # (size, align, [(name, offset, size, bit_offset, bit_size)]) of a
    # ctypes Structure or Union class.
    fields = []
    for f in decl._fields_:
        name, ftype = f[0], f[1]
        desc = getattr(decl, name)
        if hasattr(desc, "bit_size"):  # Python 3.13+
            if getattr(desc, "is_bitfield", False):
                fields.append((name, desc.byte_offset, desc.byte_size,
                               desc.byte_offset * 8 + desc.bit_offset, desc.bit_size))
            else:
                fields.append((name, desc.offset, desc.size, desc.offset * 8, 0))
        elif len(f) > 2:  # a bit-field: size is (bits << 16) | bit offset in its unit
            fields.append((name, desc.offset, ctypes.sizeof(ftype),
                           desc.offset * 8 + (desc.size & 0xffff), desc.size >> 16))
        else:
            fields.append((name, desc.offset, desc.size, desc.offset * 8, 0))
    return ctypes.sizeof(decl), ctypes.alignment(decl), fields


def _cffi_layout(ct):
    import _cffi_backend
    fields = []
    for name, f in ct.fields or ():
        bits = f.bitsize if f.bitsize >= 0 else 0
        fields.append((name, f.offset, _cffi_backend.sizeof(f.type),
                       f.offset * 8 + (f.bitshift if bits else 0), bits))
    return _cffi_backend.sizeof(ct), _cffi_backend.alignof(ct), fields


def _is_cffi_type(x):
    return type(x).__name__ == "CType" and type(x).__module__ == "_cffi_backend"


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
    kind, size, align, body = LAYOUTS[cname]
    if isinstance(decl, str):
        if ffi is None:
            raise ValueError("%s: a type name needs ffi=" % cname)
        decl = ffi.typeof(decl)
    if kind == "enum" and not isinstance(decl, type(ctypes.c_int)) and not _is_cffi_type(decl):
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
        if decl.kind in ("struct", "union"):
            if decl.fields is None:
                problems.append("%s: the binding's cdef declares it without members" % cname)
                return
            gsize, galign, gfields = _cffi_layout(decl)
        elif decl.kind == "enum":
            import _cffi_backend
            gsize, galign, gfields = _cffi_backend.sizeof(decl), None, None
            _check_one(cname, dict(decl.relements), ffi, problems)
        else:
            import _cffi_backend
            gsize, galign, gfields = _cffi_backend.sizeof(decl), None, None
    elif isinstance(decl, type) and issubclass(decl, (ctypes.Structure, ctypes.Union)):
        gsize, galign, gfields = _ctypes_layout(decl)
    else:  # a ctypes simple type, pointer or array: its size
        gsize, galign, gfields = ctypes.sizeof(decl), None, None
    if gsize != size:
        problems.append("%s is %d bytes in the binding's declaration, %d in %s" % (cname, gsize, size, BASELINE))
    if galign is not None and align and galign != align:
        problems.append("%s is aligned to %d bytes in the binding's declaration, %d in %s"
                        % (cname, galign, align, BASELINE))
    if gfields is not None and kind in ("struct", "union") and tuple(gfields) != tuple(body):
        _compare_fields(cname, gfields, body, problems)  # (equal: nothing to report)


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
        if ffi is None:
            raise ValueError("verify_layouts: give the declarations, or ffi=")
        declared = {}
        for cname, (kind, _size, _align, _body) in LAYOUTS.items():
            try:
                ct = ffi.typeof(cname)
            except Exception:
                continue
            if kind in ("struct", "union") and ct.kind in ("struct", "union") and ct.fields is None:
                continue
            declared[cname] = ct
    problems = []
    for cname, decl in declared.items():
        if cname not in LAYOUTS:
            raise ValueError("%s: not one of the types the symbols this guard checks reach in %s: %s"
                             % (cname, BASELINE, ", ".join(sorted(LAYOUTS))))
        _check_one(cname, decl, ffi, problems)
    if problems:
        _refuse(policy, "the binding's declarations do not match %s: %s" % (BASELINE, "; ".join(problems)))
    return len(declared)
