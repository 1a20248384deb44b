    // The code below runs once, when the binding loads, mostly interpreted:
    // what it costs is what the JVM does the first time. So the class uses
    // few JDK and JNA classes besides those a JNA binding has loaded (each
    // costs a lookup through the class loader, a new one a load), no '+' on
    // strings and no lambdas (each an invokedynamic bootstrap, milliseconds
    // the first time), no regex or String.format, and no try block around
    // much code (the verifier checks a handler at each instruction it
    // covers). What only a refusal or an older JNA needs is in nested
    // classes, loaded only then.

    /** What verify() or verifyLayouts() concluded: outcome is "verified",
        "accepted-unverified", "warned" (refused, but ABIGUARD_POLICY=warn) or
        "off"; message says why. */
    public static final class Verdict {
        public final String outcome;
        public final String message;

        Verdict(String outcome, String message) {
            this.outcome = outcome;
            this.message = message;
        }

        @Override
        public String toString() {
            return new StringBuilder(outcome).append(": ").append(message).toString();
        }
    }

    /** The loaded library, or the binding's own declarations, do not match
        the release it was built against: the binding must not use it. An
        UnsatisfiedLinkError, as any library that cannot be used is in Java. */
    public static final class Refused extends UnsatisfiedLinkError {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }

        // The verdict of a refusal: warned under ABIGUARD_POLICY=warn, else
        // thrown. Here, with the messages only a refusal needs, rather than
        // in the outer class, whose verification would otherwise load this
        // class for every binding.
        static Verdict refuse(String policy, String what, boolean strict) {
            if (policy.equals("warn"))
                return new Verdict("warned", new StringBuilder(what).append("; running anyway (ABIGUARD_POLICY=warn)").toString());
            throw new Refused(new StringBuilder(what).append(strict
                ? "; refusing to load under the strict policy (ABIGUARD_POLICY=default would accept it)"
                : "; refusing to load (ABIGUARD_POLICY=warn would run anyway)").toString());
        }

        static Verdict notLoaded(String pol) {
            return refuse(pol, new StringBuilder(SONAME).append(": the library given defines none of the ")
                .append(count()).append(" symbols this binding requires: cannot check it against ").append(BASELINE)
                .toString(), false);
        }

        // key: "\nID\0", the start of its row of INCOMPATIBLE.
        static Verdict incompatible(String pol, String id, String key) {
            String t = INCOMPATIBLE;
            int at = t.indexOf(key) + key.length(), bar = t.indexOf('\0', at);
            return refuse(pol, new StringBuilder(SONAME).append(" (build-id ").append(id).append(") is ").append(t, at, bar)
                .append(", incompatible with ").append(BASELINE).append(" this binding was built against: ")
                .append(t, bar + 1, t.indexOf('\n', bar)).toString(), false);
        }

        // problems, ready for one more ("; " between two).
        static StringBuilder problem(StringBuilder problems) {
            return problems.length() > 0 ? problems.append("; ") : problems;
        }

        // what: "" for the size, else "aligned to ".
        static void size(StringBuilder problems, String cname, String what, long got, long want) {
            problem(problems).append(cname).append(" is ").append(what).append(got).append(" bytes in the binding's declaration, ")
                .append(want).append(" in ").append(BASELINE);
        }

        static void extra(StringBuilder problems, String cname, String member) {
            problem(problems).append(cname).append(": the binding declares a member ").append(member).append(" that ")
                .append(BASELINE).append(" does not have");
        }

        // name: the baseline's member the binding calls g; want: its
        // offset, size, bit offset and bits.
        static void member(StringBuilder problems, String cname, String name, String g, long[] want, long off, long len) {
            StringBuilder b = problem(problems).append(cname).append("::").append(name);
            if (!g.equals(name))
                b.append(" (the binding's ").append(g).append(')');
            if (want[3] != 0)
                b.append(" is a bit-field (bit ").append(want[2]).append(", ").append(want[3]).append(" bits) in ").append(BASELINE)
                    .append(": JNA cannot declare it");
            else
                b.append(" is at offset ").append(off).append(" (").append(len).append(" bytes) in the binding's declaration, at offset ")
                    .append(want[0]).append(" (").append(want[1]).append(" bytes) in ").append(BASELINE);
        }

        static void missing(StringBuilder problems, String cname, String name, long[] want) {
            problem(problems).append(cname).append("::").append(name).append(" is not in the binding's declaration (offset ")
                .append(want[0]).append(", ").append(want[1]).append(" bytes in ").append(BASELINE).append(')');
        }
    }

    private static String policy() {
        String p = System.getenv("ABIGUARD_POLICY");
        if (p != null && (p.equals("default") || p.equals("strict") || p.equals("warn") || p.equals("off")))
            return p;
        return DEFAULT_POLICY;
    }

    // ---- the loaded object, read from memory ----------------------------

    private static final int W = Native.POINTER_SIZE;
    private static final String HEX = "0123456789abcdef";
    private static volatile long dladdr1; // libc's, looked up once

    private static byte[] read(long a, int n) {
        return new Pointer(a).getByteArray(0, n);
    }

    // An instance is one loaded object (the class's own, so that no other
    // class is loaded to read it): its link_map's l_addr, l_name and l_ld,
    // its PT_NOTE segments, and the entries of its dynamic section this
    // guard uses, read when first needed (a known build-id decides without
    // them). Every table is read with one Pointer.getByteArray and decoded
    // here in the object's byte order.
    private final boolean big;
    private final long fbase;
    private long base, ld, nameAddr, dynSize;
    private long[] notes = new long[0]; // address, size, alignment of each PT_NOTE
    private long strtab, strsz, soname = -1, symtab, versym, gnuHash, sysvHash, verdef, verdefnum;
    private String[] versions; // .gnu.version_d: index -> name, read when first needed

    // lm: its link_map; fbase: where its first segment, and so its ELF
    // header, is mapped (dladdr's dli_fbase).
    private @C@(long lm, long fbase) {
        this.fbase = fbase;
        byte[] e = fbase != 0 ? read(fbase, W == 8 ? 64 : 52) : null;
        boolean elf = e != null && e[0] == 0x7f && e[1] == 'E' && e[2] == 'L' && e[3] == 'F' && e[4] == (W == 8 ? 2 : 1)
                      && (e[5] == 1 || e[5] == 2);
        big = elf ? e[5] == 2 : java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN;
        byte[] l = read(lm, 3 * W);
        base = word(l, 0);
        nameAddr = word(l, W);
        ld = word(l, 2 * W);
        if (elf)
            dynSize = phdrs(fbase, e);
    }

    private long num(byte[] b, int off, int n) {
        long v = 0;
        for (int i = 0; i < n; i++)
            v = (v << 8) | (b[big ? off + i : off + n - 1 - i] & 0xff);
        return v;
    }

    private long word(byte[] b, int off) {
        return num(b, off, W);
    }

    private String path() {
        return nameAddr != 0 ? new Pointer(nameAddr).getString(0, "UTF-8") : "";
    }

    // The PT_NOTE segments into notes, and PT_DYNAMIC's size; 0 unless
    // its PT_DYNAMIC is the one loaded.
    private long phdrs(long fbase, byte[] e) {
        long phoff = word(e, W == 8 ? 32 : 28);
        int phentsize = (int) num(e, W == 8 ? 54 : 42, 2), phnum = (int) num(e, W == 8 ? 56 : 44, 2);
        if (phnum == 0 || phnum > 256 || phentsize != (W == 8 ? 56 : 32))
            return 0;
        byte[] t = read(fbase + phoff, phentsize * phnum);
        long size = 0;
        long[] found = new long[3 * phnum];
        int n = 0;
        for (int i = 0; i < phnum; i++) {
            int o = i * phentsize;
            long type = num(t, o, 4);
            long vaddr = word(t, o + (W == 8 ? 16 : 8));
            long memsz = word(t, o + (W == 8 ? 40 : 20));
            long align = word(t, o + (W == 8 ? 48 : 28));
            if (type == 2 && base + vaddr == ld) {
                size = memsz;
            } else if (type == 4) {
                found[n++] = base + vaddr;
                found[n++] = memsz;
                found[n++] = align == 8 ? 8 : 4;
            }
        }
        if (size > 0) {
            notes = new long[n];
            System.arraycopy(found, 0, notes, 0, n);
        }
        return size;
    }

    // NT_GNU_BUILD_ID from its PT_NOTE segments, or null.
    private String buildId() {
        for (int s = 0; s + 2 < notes.length; s += 3) {
            byte[] b = read(notes[s], (int) notes[s + 1]);
            int a = (int) notes[s + 2], pos = 0;
            while (pos + 12 <= b.length) {
                int namesz = (int) num(b, pos, 4), descsz = (int) num(b, pos + 4, 4), type = (int) num(b, pos + 8, 4);
                if (namesz < 0 || descsz < 0)
                    break;
                int nameEnd = pos + 12 + ((namesz + a - 1) & ~(a - 1));
                if (type == 3 && namesz == 4 && pos + 15 < b.length && b[pos + 12] == 'G' && b[pos + 13] == 'N'
                    && b[pos + 14] == 'U') {
                    StringBuilder hex = new StringBuilder(2 * descsz);
                    for (int k = nameEnd; k < nameEnd + descsz && k < b.length; k++)
                        hex.append(HEX.charAt((b[k] >> 4) & 15)).append(HEX.charAt(b[k] & 15));
                    return hex.toString();
                }
                pos = nameEnd + ((descsz + a - 1) & ~(a - 1));
            }
        }
        return null;
    }

    // The dynamic section's entries this guard uses (the first of each):
    // accepted() reads them, before Symbols uses them.
    private void dynamic() {
        long[] v = new long[10]; // by slot; seen[slot] when found
        boolean[] seen = new boolean[10];
        int step = 2 * W;
        byte[] d = null;
        if (dynSize > 0) // PT_DYNAMIC says how long it is: one read
            d = read(ld, (int) (dynSize - dynSize % step));
        for (int i = 0; ld != 0 && i < 4096; i++) {
            int off = i * step;
            if (dynSize > 0 && off + step > d.length)
                break;
            if (dynSize <= 0) { // one entry at a time: no read past DT_NULL
                d = read(ld + off, step);
                off = 0;
            }
            long tag = W == 8 ? num(d, off, 8) : (int) num(d, off, 4);
            if (tag == 0)
                break;
            int slot = tag == 5 ? 0 : tag == 10 ? 1 : tag == 14 ? 2 : tag == 6 ? 3 : tag == 0x6ffffff0L ? 4
                       : tag == 0x6ffffef5L ? 5 : tag == 4 ? 6 : tag == 0x6ffffffcL ? 7 : tag == 0x6ffffffdL ? 8 : -1;
            if (slot >= 0 && !seen[slot]) {
                seen[slot] = true;
                v[slot] = word(d, off + W);
            }
        }
        strtab = addr(v[0]);
        strsz = v[1];
        soname = seen[2] ? v[2] : -1;
        symtab = addr(v[3]);
        versym = addr(v[4]);
        gnuHash = addr(v[5]);
        sysvHash = addr(v[6]);
        verdef = addr(v[7]);
        verdefnum = v[8];
    }

    // glibc relocates most entries in place; DT_VERDEF keeps its link-time value.
    private long addr(long v) {
        return v != 0 && v < base ? v + base : v;
    }

    private String string(long off) {
        return off >= 0 && off < strsz && strtab != 0 ? new Pointer(strtab + off).getString(0, "UTF-8") : null;
    }

    private String versionName(int idx) {
        if (versions == null) { // read .gnu.version_d once: index -> name
            versions = new String[0];
            long p = verdef;
            for (long i = 0; p != 0 && i < verdefnum && i < 65536; i++) {
                byte[] v = read(p, 20);
                int ndx = (int) num(v, 4, 2), cnt = (int) num(v, 6, 2);
                long aux = num(v, 12, 4), next = num(v, 16, 4);
                if (cnt != 0) {
                    if (ndx >= versions.length) {
                        String[] grown = new String[ndx + 8];
                        System.arraycopy(versions, 0, grown, 0, versions.length);
                        versions = grown;
                    }
                    versions[ndx] = string(num(read(p + aux, 4), 0, 4));
                }
                if (next == 0)
                    break;
                p += next;
            }
        }
        return idx < versions.length ? versions[idx] : null;
    }

    // The rows of SYMBOLS.
    static int count() {
        int n = 0;
        for (int i = 1; i < SYMBOLS.length(); i++)
            if (SYMBOLS.charAt(i) == '\n')
                n++;
        return n;
    }

    // "SONAME (path, build-id ID)", for a message about this object.
    private StringBuilder where(String id) {
        return new StringBuilder(SONAME).append(" (").append(path()).append(", build-id ").append(id != null ? id : "none")
            .append(')');
    }

    // The verdict on an unknown build that matches the baseline; objects:
    // the data objects whose size matched.
    private Verdict unverified(String pol, String id, int objects) {
        StringBuilder what = where(id).append(" is an unverified build: not a release of ").append(LIBRARY)
            .append(" known when this guard was generated, but its SONAME").append(objects > 0 ? "," : " and")
            .append(" all ").append(count()).append(" required symbols and versions");
        if (objects > 0)
            what.append(" and the sizes of its ").append(objects).append(" data objects");
        what.append(" match ").append(BASELINE);
        if (pol.equals("strict"))
            return Refused.refuse(pol, what.toString(), true);
        return new Verdict("accepted-unverified",
            what.append("; accepted unverified (ABIGUARD_POLICY=strict would refuse it)").toString());
    }

    // Whether the string at off in .dynstr is name.
    private boolean spells(long off, String name) {
        int n = name.length();
        if (off < 0 || off + n >= strsz || strtab == 0)
            return false;
        byte[] b = read(strtab + off, n + 1);
        for (int i = 0; i < n; i++)
            if (b[i] != name.charAt(i)) // (a non-ASCII name never matches: then Symbols decides)
                return false;
        return b[n] == 0;
    }

    // The verdict on an unknown build, if the dynamic linker's own answers
    // show it matches the baseline: its SONAME, and each required symbol
    // as dlsym finds it in lib, defined by this object (dladdr1 with
    // RTLD_DL_SYMENT gives the object and the .dynsym entry), under its
    // name, at the required version (or, for the default one, not hidden)
    // and, for a data object, of the baseline's size. null when any of that
    // differs or cannot be asked this way (no libffi call): then Symbols,
    // a class of its own loaded only then, looks each symbol up by hash and
    // says what differs, or accepts a symbol at a version other than its
    // default.
    private Verdict accepted(NativeLibrary lib, String pol, String id) {
        dynamic();
        if (SONAME_REQUIRED && !spells(soname, SONAME))
            return null;
        long fn = dladdr1(lib);
        int entsize = W == 8 ? 24 : 16, objects = 0;
        String t = SYMBOLS;
        for (int at = 1, end; (end = t.indexOf('\n', at)) > 0; at = end + 1) {
            int b1 = t.indexOf('\0', at), b2 = t.indexOf('\0', b1 + 1);
            String name = t.substring(at, b1);
            Pointer p = resolve(lib, name);
            long[] r = p != null ? ffi(fn, Pointer.nativeValue(p), 1) : null;
            long e = r != null ? r[0] : 0, i = (e - symtab) / entsize;
            if (e == 0 || r[1] != fbase || symtab == 0 || e < symtab || (e - symtab) % entsize != 0)
                return null; // (only an entry of .dynsym is read)
            byte[] sym = read(e, entsize);
            int v = versym != 0 ? (int) num(read(versym + 2 * i, 2), 0, 2) : 1;
            if (!spells(num(sym, 0, 4), name)
                || (b2 == b1 + 1 ? (v & 0x8000) != 0 : (v &= 0x7fff) < 2 || !t.substring(b1 + 1, b2).equals(versionName(v))))
                return null;
            if (t.charAt(b2 + 1) != '-') { // a data object: its st_size
                if ((W == 8 ? num(sym, 16, 8) : num(sym, 8, 4)) != number(t, b2 + 1, end))
                    return null;
                objects++;
            }
        }
        return unverified(pol, id, objects);
    }

    // An unknown build's dynamic symbol table, looked up by hash: what
    // differs from the baseline, when the dynamic linker's answers did not
    // show that nothing does (accepted).
    private static final class Symbols {
        private final @C@ o; // its dynamic section read (by accepted(), which runs first)
        // Pages read whole (4096 bytes at pageAt[k]): the tables a symbol
        // is looked up in are read a few bytes at a time, each read a JNA
        // call otherwise. A page that holds a byte of a table is mapped
        // whole, so reading all of it is safe.
        private final long[] pageAt = { -1, -1, -1, -1, -1, -1, -1, -1 };
        private final byte[][] pages = new byte[8][];

        // The page holding the n bytes at a, or null if they are not in one.
        private byte[] page(long a, int n) {
            long p = a & ~4095L;
            if (n <= 0 || a + n > p + 4096)
                return null;
            int k = (int) (p >>> 12) & 7;
            if (pageAt[k] != p) {
                pages[k] = read(p, 4096);
                pageAt[k] = p;
            }
            return pages[k];
        }

        // n bytes at a.
        private byte[] get(long a, int n) {
            byte[] page = page(a, n);
            if (page == null)
                return read(a, n);
            byte[] b = new byte[n];
            System.arraycopy(page, (int) (a & 4095), b, 0, n);
            return b;
        }

        private long u32(long a) {
            byte[] page = page(a, 4);
            return page != null ? o.num(page, (int) (a & 4095), 4) : o.num(read(a, 4), 0, 4);
        }

        Symbols(@C@ o) {
            this.o = o;
        }

        // Whether the string at off is name: its bytes, then a NUL (names are
        // compared as bytes, no String made for each candidate).
        private boolean named(long off, byte[] name) {
            if (off < 0 || off + name.length >= o.strsz || o.strtab == 0)
                return false;
            byte[] b = get(o.strtab + off, name.length + 1);
            for (int i = 0; i < name.length; i++)
                if (b[i] != name[i])
                    return false;
            return b[name.length] == 0;
        }

        // st_size of symbol i when it defines name (at version, or the
        // default one), else -1; other[0] gets a version that did not fit.
        private long defines(long i, byte[] name, String version, String[] other) {
            int entsize = W == 8 ? 24 : 16;
            byte[] e = get(o.symtab + i * entsize, entsize);
            long stName = o.num(e, 0, 4);
            int stInfo = e[W == 8 ? 4 : 12] & 0xff;
            int stShndx = (int) o.num(e, W == 8 ? 6 : 14, 2);
            long stSize = W == 8 ? o.num(e, 16, 8) : o.num(e, 8, 4);
            if (stShndx == 0 || (stInfo >> 4) == 0 || !named(stName, name))
                return -1;
            String vname = null;
            boolean hidden = false;
            if (o.versym != 0) {
                int v = (int) o.num(get(o.versym + 2 * i, 2), 0, 2);
                hidden = (v & 0x8000) != 0;
                v &= 0x7fff;
                if (v == 0)
                    return -1;
                if (v >= 2)
                    vname = o.versionName(v);
            }
            if (version != null ? version.equals(vname) : !hidden)
                return stSize;
            if (vname != null && other[0] == null)
                other[0] = vname;
            return -1;
        }

        // st_size of name's definition, or -1; -2 when there is no hash table.
        private long lookup(String symbol, String version, String[] other) {
            byte[] name = symbol.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (o.symtab != 0 && o.gnuHash != 0) {
                byte[] h = get(o.gnuHash, 16);
                long nbuckets = o.num(h, 0, 4), symoffset = o.num(h, 4, 4), bloomSize = o.num(h, 8, 4);
                long buckets = o.gnuHash + 16 + bloomSize * W, chain = buckets + 4 * nbuckets;
                int hash = 5381;
                for (byte c : name)
                    hash = hash * 33 + (c & 0xff);
                long uh = hash & 0xffffffffL;
                if (nbuckets == 0)
                    return -1;
                long i = u32(buckets + 4 * (uh % nbuckets));
                if (i < symoffset)
                    return -1;
                for (;; i++) {
                    long h2 = u32(chain + 4 * (i - symoffset));
                    if ((h2 | 1) == (uh | 1)) {
                        long size = defines(i, name, version, other);
                        if (size >= 0)
                            return size;
                    }
                    if ((h2 & 1) != 0)
                        return -1;
                }
            }
            if (o.symtab != 0 && o.sysvHash != 0) {
                byte[] h = get(o.sysvHash, 8);
                long nbucket = o.num(h, 0, 4), nchain = o.num(h, 4, 4);
                long hash = 0;
                for (byte c : name) {
                    hash = ((hash << 4) + (c & 0xff)) & 0xffffffffL;
                    long g = hash & 0xf0000000L;
                    if (g != 0)
                        hash ^= g >>> 24;
                    hash &= ~g & 0xffffffffL;
                }
                if (nbucket == 0)
                    return -1;
                long i = u32(o.sysvHash + 8 + 4 * (hash % nbucket));
                for (long steps = 0; i != 0 && i < nchain && steps < nchain; steps++) {
                    long size = defines(i, name, version, other);
                    if (size >= 0)
                        return size;
                    i = u32(o.sysvHash + 8 + 4 * nbucket + 4 * i);
                }
                return -1;
            }
            return -2;
        }

        // The verdict on an unknown build (build-id id).
        Verdict judge(String pol, String id) {
            int[] objects = { 0 };
            String problem = compare(objects);
            if (problem == null)
                return o.unverified(pol, id, objects[0]);
            return Refused.refuse(pol, o.where(id).append(" is an unknown build that does not match ").append(BASELINE)
                .append(" this binding was built against: ").append(problem).toString(), false);
        }

        // The first difference from the baseline, or null; objects[0] counts
        // the data objects whose size matched.
        private String compare(int[] objects) {
            String so = o.soname >= 0 ? o.string(o.soname) : null;
            if (SONAME_REQUIRED && !SONAME.equals(so)) {
                StringBuilder b = new StringBuilder("its SONAME is ");
                if (so != null)
                    b.append('\'').append(so).append('\'');
                else
                    b.append("missing");
                return b.append(", not ").append(SONAME).toString();
            }
            String t = SYMBOLS;
            for (int at = 1, end; (end = t.indexOf('\n', at)) > 0; at = end + 1) {
                int b1 = t.indexOf('\0', at), b2 = t.indexOf('\0', b1 + 1);
                String name = t.substring(at, b1), version = b2 > b1 + 1 ? t.substring(b1 + 1, b2) : null;
                boolean isObject = t.charAt(b2 + 1) != '-';
                long size = isObject ? number(t.substring(b2 + 1, end)) : 0;
                String[] other = new String[1];
                long got = lookup(name, version, other);
                if (got == -2)
                    return new StringBuilder("its dynamic symbol table has no hash table to look ").append(name)
                        .append(" up in").toString();
                if (got < 0) {
                    StringBuilder b = new StringBuilder("it lacks ").append(name);
                    if (version != null)
                        b.append('@').append(version);
                    if (other[0] != null)
                        b.append(" (it has ").append(other[0]).append(')');
                    return b.toString();
                }
                if (isObject) {
                    if (got != size)
                        return new StringBuilder("its ").append(name).append(" is a ").append(got).append("-byte object, ")
                            .append(size).append(" bytes in ").append(BASELINE).toString();
                    objects[0]++;
                }
            }
            return null;
        }
    }

    // libc's dladdr1, looked up once: in the scope of the library given
    // (it and its dependencies, libc among them), else in libc's.
    private static long dladdr1(NativeLibrary lib) {
        long f = dladdr1;
        if (f == 0) {
            Pointer p = resolve(lib, "dladdr1");
            dladdr1 = f = Pointer.nativeValue(p != null ? p : NativeLibrary.getInstance("c").getGlobalVariableAddress("dladdr1"));
        }
        return f;
    }

    // The link_map and the load address (dli_fbase) of the object that
    // defines the code or data at p (dladdr1(RTLD_DL_LINKMAP)), or null.
    private static long[] dladdr1(NativeLibrary lib, Pointer p) {
        long fn = dladdr1(lib);
        long[] r = ffi(fn, Pointer.nativeValue(p), 2);
        return r != null ? r : Call.function(fn, p);
    }

    // The object lib was loaded from: the one defining the first required
    // symbol it resolves; null if none.
    private static @C@ loaded(NativeLibrary lib) {
        String t = SYMBOLS;
        for (int at = 1, end; (end = t.indexOf('\n', at)) > 0; at = end + 1) {
            Pointer p = resolve(lib, t.substring(at, t.indexOf('\0', at)));
            if (p == null)
                continue; // not in it
            long[] m = dladdr1(lib, p);
            return m != null && m[0] != 0 ? new @C@(m[0], m[1]) : null;
        }
        return null;
    }

    /** Checks the library a JNA binding loaded against the release it was
        built for: its build-id, or for an unknown build its SONAME, required
        symbols, versions and data-object sizes, read from memory. Returns
        the verdict; throws Refused when the binding must not use it. */
    public static Verdict verify(NativeLibrary lib) {
        String pol = policy();
        if (pol.equals("off"))
            return new Verdict("off", new StringBuilder(SONAME).append(": ABI check disabled (ABIGUARD_POLICY=off)").toString());
        @C@ o = loaded(lib);
        if (o == null)
            return Refused.notLoaded(pol);
        String id = o.buildId();
        if (id != null) {
            String key = new StringBuilder(id.length() + 2).append('\n').append(id).append('\0').toString(), t = COMPATIBLE;
            int at = t.indexOf(key);
            if (at >= 0) {
                at += key.length();
                return new Verdict("verified", new StringBuilder(SONAME).append(" (build-id ").append(id).append(") is ")
                    .append(t.substring(at, t.indexOf('\n', at))).append(", verified compatible with ").append(BASELINE)
                    .append(" this binding was built against").toString());
            }
            if (INCOMPATIBLE.indexOf(key) >= 0)
                return Refused.incompatible(pol, id, key);
        }
        Verdict v = o.accepted(lib, pol, id);
        return v != null ? v : new Symbols(o).judge(pol, id);
    }

    private static Pointer resolve(NativeLibrary lib, String name) {
        try {
            return lib.getGlobalVariableAddress(name);
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }

    // A JNA Function called with arguments the first time in a JVM loads
    // JNA's argument conversion machinery, about as long as the rest of the
    // check. Where libffi's default ABI is known (x86-64 Linux), dladdr1 is
    // called through JNA's own libffi instead (Native.ffi_prep_cif and
    // ffi_call, on memory from Native.malloc): { what flag asks for (the
    // link_map for RTLD_DL_LINKMAP, 2; the ElfW(Sym) * for RTLD_DL_SYMENT,
    // 1), dli_fbase }, { 0, 0 } if it found nothing, or null where this way
    // is not known to work (then Call.function). The memory and the cif are made by the
    // first call and kept (192 bytes and a cif, once per JVM): freeing them
    // would be two more native methods for JNA to link the first time.
    // ffiCif -1: this libffi does not take it.
    private static long ffiMem, ffiCif;

    private static synchronized long[] ffi(long fn, long addr, int flag) {
        if (W != 8 || !Platform.isLinux() || !"x86-64".equals(Platform.ARCH) || ffiCif < 0)
            return null;
        long m = ffiMem;
        if (m == 0 && (ffiMem = m = Native.malloc(24 * 8)) == 0)
            return null;
        // 0: ffi_type pointer (size, alignment | type << 16, elements);
        // 3: ffi_type sint32; 6: the argument types; 10: the arguments;
        // 14: pointers to them; 18: the result; 19: the Dl_info; 23: what
        // flag asks for.
        long[] w = { 8, 8 | 14 << 16, 0, 4, 4 | 10 << 16, 0, m, m, m, m + 24, addr, m + 19 * 8, m + 23 * 8, flag,
                     m + 80, m + 88, m + 96, m + 104, 0, 0, 0, 0, 0, 0 };
        Pointer p = new Pointer(m);
        p.write(0, w, 0, w.length);
        long cif = ffiCif;
        if (cif == 0 && (ffiCif = cif = prep(m)) == 0) {
            ffiCif = -1;
            return null;
        }
        Native.ffi_call(cif, fn, m + 18 * 8, m + 14 * 8);
        byte[] r = p.getByteArray(18 * 8, 6 * 8); // the result, the Dl_info, the extra (as every read is made)
        return le(r, 0, 4) != 0 ? new long[] { le(r, 40, 8), le(r, 16, 8) } : new long[2];
    }

    // n bytes at off, little-endian (x86-64's order).
    private static long le(byte[] b, int off, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--)
            v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }

    private static long prep(long m) {
        try {
            return Native.ffi_prep_cif(2, 4, m + 24, m + 48); // FFI_UNIX64, 4 arguments, returning sint32
        } catch (Error | RuntimeException e) {
            return 0; // this libffi does not take it: the JNA Function instead
        }
    }

    // dladdr1 through a JNA Function, into Java arrays JNA copies back (a
    // Memory or a PointerByReference would load more classes).
    private static final class Call {
        private Call() {
        }

        static long[] function(long fn, Pointer p) {
            Function f = Function.getFunction(new Pointer(fn));
            if (W == 8) {
                long[] info = new long[4], map = new long[1];
                return f.invokeInt(new Object[] { p, info, map, 2 }) != 0 ? new long[] { map[0], info[1] } : new long[2];
            }
            int[] info = new int[4], map = new int[1];
            return f.invokeInt(new Object[] { p, info, map, 2 }) != 0
                ? new long[] { map[0] & 0xffffffffL, info[1] & 0xffffffffL } : new long[2];
        }
    }

    // ---- the binding's own declarations -----------------------------------

    // The baseline's layout of cname from its line of LAYOUT_TABLE (only
    // the types verifyLayouts is given are ever parsed): { kind, size,
    // alignment, members or enumerators }, or null.
    private static String[] layoutOf(String cname) {
        String key = new StringBuilder(cname.length() + 2).append('\n').append(cname).append('|').toString();
        int at = LAYOUT_TABLE.indexOf(key);
        if (at < 0)
            return null;
        String[] w = new String[4];
        int from = at + key.length(), end = LAYOUT_TABLE.indexOf('\n', from);
        for (int k = 0; k < 3; k++) {
            int bar = LAYOUT_TABLE.indexOf('|', from);
            w[k] = LAYOUT_TABLE.substring(from, bar);
            from = bar + 1;
        }
        w[3] = LAYOUT_TABLE.substring(from, end);
        return w;
    }

    // s split at sep (none: an empty array).
    private static String[] split(String s, char sep) {
        if (s.isEmpty())
            return new String[0];
        int n = 1;
        for (int i = 0; i < s.length(); i++)
            if (s.charAt(i) == sep)
                n++;
        String[] parts = new String[n];
        for (int k = 0, from = 0; k < n; k++) {
            int to = s.indexOf(sep, from);
            if (to < 0)
                to = s.length();
            parts[k] = s.substring(from, to);
            from = to + 1;
        }
        return parts;
    }

    private static long number(String s) {
        return number(s, 0, s.length());
    }

    // The number in s from from to to.
    private static long number(String s, int from, int to) {
        long v = 0;
        boolean minus = from < to && s.charAt(from) == '-';
        for (int i = minus ? from + 1 : from; i < to; i++)
            v = v * 10 + (s.charAt(i) - '0');
        return minus ? -v : v;
    }

    private static int indexOf(String[] names, int n, String name) {
        for (int k = 0; k < n; k++)
            if (names[k].equals(name))
                return k;
        return -1;
    }

    // What JNA computed for a Structure, read from its private fields, with
    // the accessors the binding's own structures already use: for a class,
    // the layout JNA cached when the binding made an instance of it
    // (Structure.layoutInfo: LayoutInfo's size, alignment and fields), else
    // that of an instance (structFields, structAlignment); fields maps each
    // name to a StructField, whose toString() is "name@offset[size] (type)"
    // (its public fields, read reflectively instead where that differs).
    // Reaching the protected fieldOffset, getFieldOrder and
    // getStructAlignment instead builds the reflection data of all of
    // Structure's methods, milliseconds at load time: that is left to a JNA
    // that keeps them otherwise (Methods). null until looked up; empty: not
    // this JNA.
    private static volatile Field[] jnaCache, jnaStructure, jnaStructField;
    // LayoutInfo's size and alignment (Fields), then its fields: the static
    // accessor javac wrote for Structure (a Method), or else the Field. A
    // final field read reflectively loads accessor classes of the JDK's no
    // JNA binding has used (some 100 us); the accessor is a plain call.
    private static volatile Object[] jnaLayoutInfo;

    // c's fields named, each of the type given and made accessible; empty
    // if one is not.
    private static Field[] fields(Class<?> c, String[] names, Class<?>[] types) {
        Field[] f = new Field[names.length];
        for (int i = 0; i < names.length; i++) {
            f[i] = field(c, names[i]);
            if (f[i] == null || f[i].getType() != types[i] || !open(f[i]))
                return new Field[0];
        }
        return f;
    }

    // jnaLayoutInfo for LayoutInfo, c; empty if this JNA has not those.
    private static Object[] layoutInfo(Class<?> c) {
        Field[] f = fields(c, new String[] { "size", "alignment" }, new Class<?>[] { int.class, int.class });
        if (f.length == 0)
            return f;
        Object fields = null;
        for (Method m : c.getDeclaredMethods()) // the one static Map of(LayoutInfo)
            if (Modifier.isStatic(m.getModifiers()) && m.getReturnType() == Map.class && m.getParameterCount() == 1
                && m.getParameterTypes()[0] == c)
                fields = fields == null && open(m) ? m : Boolean.FALSE;
        if (!(fields instanceof Method)) {
            Field[] m = fields(c, new String[] { "fields" }, new Class<?>[] { Map.class });
            if (m.length == 0)
                return m;
            fields = m[0];
        }
        return new Object[] { f[0], f[1], fields };
    }

    // { size, alignment, fields } of decl as JNA laid it out, or null.
    private static Object[] jnaLayout(String cname, Object decl) {
        Object info = null;
        if (decl instanceof Class) {
            Field[] c = jnaCache;
            if (c == null)
                jnaCache = c = fields(Structure.class, new String[] { "layoutInfo" }, new Class<?>[] { Map.class });
            Object cache = c.length > 0 ? value(c[0], null) : null;
            if (cache instanceof Map)
                info = ((Map<?, ?>) cache).get(decl);
        }
        if (info == null) // an instance, or a class JNA has no layout of yet
            return Methods.instanceLayout(cname, decl);
        Object[] li = jnaLayoutInfo;
        if (li == null)
            jnaLayoutInfo = li = layoutInfo(info.getClass());
        if (li.length == 0)
            return null;
        Object map = li[2] instanceof Method ? call((Method) li[2], info) : value((Field) li[2], info);
        if (!(map instanceof Map) || ((Map<?, ?>) map).isEmpty())
            return null;
        return new Object[] { intValue((Field) li[0], info, cname), intValue((Field) li[1], info, cname), map };
    }

    // The digits of t from from to to as a number; -1 if not that.
    private static long digits(String t, int from, int to) {
        if (from <= 0 || to <= from)
            return -1;
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9')
                return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    // m(a), or null.
    private static Object call(Method m, Object a) {
        try {
            return m.invoke(null, a);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    // c's field name, or its superclasses'; null if none.
    private static Field field(Class<?> c, String name) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            try {
                return k.getDeclaredField(name);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        return null;
    }

    private static boolean open(java.lang.reflect.AccessibleObject f) {
        try {
            f.setAccessible(true);
            return true;
        } catch (RuntimeException e) { // (a JNA in a module that does not open com.sun.jna)
            return false;
        }
    }

    // f's value in o, or null.
    private static Object value(Field f, Object o) {
        try {
            return f.get(o);
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    private static int intValue(Field f, Object o, String cname) {
        try {
            return f.getInt(o);
        } catch (IllegalAccessException e) {
            throw Methods.cannot(cname, e);
        }
    }

    // decl: a Structure, or a Structure subclass (instantiated only when
    // JNA has no layout of it yet, as JNA makes one of a structure it is
    // given by class).
    private static void compareStructure(String cname, String[] w, Object decl, StringBuilder problems) {
        long wsize = number(w[1]), walign = number(w[2]);
        // The binding's members in its order: name, offset, size.
        String[] order;
        long[] off, len;
        int size, align;
        Object[] j = jnaLayout(cname, decl);
        Map<?, ?> fm = j != null ? (Map<?, ?>) j[2] : null;
        int n = fm != null ? fm.size() : 0, f = 0;
        order = new String[n];
        off = new long[n];
        len = new long[n];
        if (fm != null) {
            boolean parsed = true;
            for (Object k : fm.keySet()) { // (a LinkedHashMap's keySet: loaded already, its entrySet not)
                if (f == n)
                    break;
                String name = (String) k, t = String.valueOf(fm.get(k)); // "name@offset[size] (type)"
                int at = name.length(), open = t.indexOf('[', at);
                order[f] = name;
                off[f] = t.startsWith(name) && t.indexOf('@') == at ? digits(t, at + 1, open) : -1;
                len[f] = off[f] >= 0 ? digits(t, open + 1, t.indexOf(']', open)) : -1;
                parsed &= len[f] >= 0;
                f++;
            }
            if (!parsed && !Methods.structFields(cname, fm, off, len))
                fm = null;
        }
        if (fm != null) {
            size = (Integer) j[0];
            align = (Integer) j[1];
        } else {
            Structure s = decl instanceof Structure ? (Structure) decl : Methods.instance(cname, (Class<?>) decl);
            size = s.size();
            Object[] r = Methods.layout(cname, s);
            order = (String[]) r[0];
            off = (long[]) r[1];
            len = (long[]) r[2];
            align = (Integer) r[3];
        }
        if (size != wsize)
            Refused.size(problems, cname, "", size, wsize);
        if (walign != 0 && align != walign)
            Refused.size(problems, cname, "aligned to ", align, walign);
        // The baseline's members: name, offset, size, bit offset, bits.
        String[] members = split(w[3], ';');
        String[] names = new String[members.length];
        long[][] want = new long[members.length][];
        for (int k = 0; k < members.length; k++) { // "name,offset,size,bit offset,bits"
            String mk = members[k];
            int at = mk.indexOf(',');
            names[k] = mk.substring(0, at);
            long[] v = want[k] = new long[4];
            for (int q = 0; q < 4; q++) {
                int end = q < 3 ? mk.indexOf(',', at + 1) : mk.length();
                v[q] = number(mk, at + 1, end);
                at = end;
            }
        }
        boolean[] used = new boolean[names.length];
        for (int i = 0; i < order.length; i++) {
            String g = order[i];
            int k = indexOf(names, names.length, g);
            if (k < 0 && i < names.length && indexOf(order, order.length, names[i]) < 0)
                k = i; // the binding calls it something else
            if (k < 0) {
                Refused.extra(problems, cname, g);
                continue;
            }
            used[k] = true;
            if (want[k][3] != 0 || off[i] != want[k][0] || len[i] != want[k][1])
                Refused.member(problems, cname, names[k], g, want[k], off[i], len[i]);
        }
        for (int k = 0; k < names.length; k++)
            if (!used[k])
                Refused.missing(problems, cname, names[k], want[k]);
    }

    /** Compares the binding's own declarations with the baseline's layouts.
        declared maps a C type name ("struct geo_point", "enum geo_kind", a
        typedef) to a JNA Structure subclass (or instance), or for an enum a
        class whose static int fields are its constants, or a Map of them.
        Each mismatch names the member, both offsets and both sizes. Throws
        Refused on a mismatch (unless ABIGUARD_POLICY is warn or off), and
        IllegalArgumentException for a name not in the baseline's layouts. */
    public static Verdict verifyLayouts(Map<String, ?> declared) {
        String pol = policy();
        if (pol.equals("off"))
            return new Verdict("off", "layout check disabled (ABIGUARD_POLICY=off)");
        StringBuilder problems = new StringBuilder();
        for (String cname : declared.keySet()) { // (as in compareStructure)
            String[] w = layoutOf(cname);
            if (w == null)
                throw Methods.notInBaseline(cname);
            Object decl = declared.get(cname);
            if (w[0].equals("enum") && (decl instanceof Map || decl instanceof Class))
                compareEnum(cname, w, decl, problems);
            else if (!w[0].equals("enum") && (decl instanceof Structure
                     || (decl instanceof Class && Structure.class.isAssignableFrom((Class<?>) decl))))
                compareStructure(cname, w, decl, problems);
            else
                throw Methods.wrongKind(cname, w[0].equals("enum"), decl);
        }
        if (problems.length() > 0)
            return Refused.refuse(pol, new StringBuilder("the binding's declarations do not match ").append(BASELINE)
                .append(": ").append(problems).toString(), false);
        return new Verdict("verified", new StringBuilder().append(declared.size()).append(" declarations match ")
            .append(BASELINE).toString());
    }

    // An enum's constants in the binding: a class whose static fields are
    // named as its enumerators, or a Map of them. (In this class: a nested
    // class would cost each binding that checks an enum a class load.)
    private static void compareEnum(String cname, String[] w, Object decl, StringBuilder problems) {
        String[] enumerators = split(w[3], ';');
        String[] names = new String[enumerators.length];
        long[] values = new long[enumerators.length];
        for (int k = 0; k < enumerators.length; k++) {
            int eq = enumerators[k].indexOf('=');
            names[k] = enumerators[k].substring(0, eq);
            values[k] = number(enumerators[k].substring(eq + 1));
        }
        // The binding's constants, by name (a class: its static fields
        // named as an enumerator).
        String[] got;
        long[] gv;
        int n = 0;
        if (decl instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) decl;
            got = new String[m.size()];
            gv = new long[got.length];
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (n == got.length)
                    break;
                got[n] = String.valueOf(e.getKey());
                gv[n++] = ((Number) e.getValue()).longValue();
            }
        } else {
            Field[] fs = ((Class<?>) decl).getFields();
            got = new String[fs.length];
            gv = new long[fs.length];
            for (Field f : fs) {
                if (!Modifier.isStatic(f.getModifiers()) || indexOf(names, names.length, f.getName()) < 0)
                    continue;
                Object v = value(f, null);
                if (v instanceof Number) {
                    got[n] = f.getName();
                    gv[n++] = ((Number) v).longValue();
                }
            }
        }
        for (int i = 1; i < n; i++) // by name, for a message in a stable order
            for (int k = i; k > 0 && got[k - 1].compareTo(got[k]) > 0; k--) {
                String t = got[k];
                got[k] = got[k - 1];
                got[k - 1] = t;
                long v = gv[k];
                gv[k] = gv[k - 1];
                gv[k - 1] = v;
            }
        for (int i = 0; i < n; i++) {
            int k = indexOf(names, names.length, got[i]);
            if (k < 0)
                Refused.problem(problems).append(cname).append(": ").append(got[i]).append(" is not an enumerator of it in ").append(BASELINE);
            else if (values[k] != gv[i])
                Refused.problem(problems).append(cname).append(": ").append(got[i]).append(" is ").append(gv[i]).append(" in the binding, ")
                    .append(values[k]).append(" in ").append(BASELINE);
        }
    }

    // What only a JNA without those private fields, a structure JNA has no
    // layout of yet, or a wrong declaration needs.
    private static final class Methods {
        private Methods() {
        }

        // For a JNA that keeps its layout otherwise: { names, offsets,
        // sizes, alignment } through the protected methods.
        static Object[] layout(String cname, Structure s) {
            try {
                java.lang.reflect.Method offset = Structure.class.getDeclaredMethod("fieldOffset", String.class),
                                         order = Structure.class.getDeclaredMethod("getFieldOrder"),
                                         alignment = Structure.class.getDeclaredMethod("getStructAlignment");
                offset.setAccessible(true);
                order.setAccessible(true);
                alignment.setAccessible(true);
                java.util.List<?> names = (java.util.List<?>) order.invoke(s);
                String[] n = new String[names.size()];
                long[] off = new long[n.length], len = new long[n.length];
                for (int i = 0; i < n.length; i++) {
                    n[i] = (String) names.get(i);
                    Field f = field(s.getClass(), n[i]);
                    if (f == null)
                        throw new NoSuchFieldException(n[i]);
                    f.setAccessible(true);
                    off[i] = (Integer) offset.invoke(s, n[i]);
                    len[i] = Native.getNativeSize(f.getType(), f.get(s));
                }
                return new Object[] { n, off, len, alignment.invoke(s) };
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalArgumentException(new StringBuilder(cname).append(": cannot inspect ").append(s.getClass())
                    .append(": ").append(e).toString(), e);
            }
        }

        static String layoutNames(String table) {
            java.util.Set<String> names = new java.util.TreeSet<>();
            for (String line : split(table, '\n'))
                if (!line.isEmpty())
                    names.add(line.substring(0, line.indexOf('|')));
            return names.toString();
        }

        static Structure instance(String cname, Class<?> c) {
            try {
                java.lang.reflect.Constructor<?> k = c.getDeclaredConstructor();
                k.setAccessible(true);
                return (Structure) k.newInstance();
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalArgumentException(new StringBuilder(cname).append(": cannot inspect ").append(c).append(": ")
                    .append(e).toString(), e);
            }
        }

        // { size, alignment, fields } of decl, a Structure or a class JNA has
        // no layout of yet (then an instance of it), or null.
        static Object[] instanceLayout(String cname, Object decl) {
            Field[] st = jnaStructure;
            if (st == null)
                jnaStructure = st = fields(Structure.class, new String[] { "structFields", "structAlignment" },
                                           new Class<?>[] { Map.class, int.class });
            if (st.length == 0)
                return null;
            Structure s = decl instanceof Structure ? (Structure) decl : instance(cname, (Class<?>) decl);
            Object size = s.size(); // (computes the layout)
            Object align = intValue(st[1], s, cname), map = value(st[0], s);
            if (!(map instanceof Map) || ((Map<?, ?>) map).isEmpty())
                return null;
            return new Object[] { size, align, map };
        }

        // The offset and size of each StructField in m, read from its
        // fields (a JNA whose StructField.toString() differs); false if it
        // has not those.
        static boolean structFields(String cname, Map<?, ?> m, long[] off, long[] len) {
            Field[] sf = jnaStructField;
            if (sf == null)
                jnaStructField = sf = fields(m.values().iterator().next().getClass(), new String[] { "offset", "size" },
                                             new Class<?>[] { int.class, int.class });
            if (sf.length == 0)
                return false;
            int i = 0;
            for (Object v : m.values()) {
                if (i == off.length)
                    break;
                off[i] = intValue(sf[0], v, cname);
                len[i] = intValue(sf[1], v, cname);
                i++;
            }
            return true;
        }

        static IllegalArgumentException cannot(String cname, Exception e) {
            return new IllegalArgumentException(new StringBuilder(cname).append(": cannot inspect it: ").append(e).toString(), e);
        }

        static IllegalArgumentException notInBaseline(String cname) {
            return new IllegalArgumentException(new StringBuilder(cname)
                .append(": not one of the types the symbols this guard checks reach in ").append(BASELINE).append(": ")
                .append(layoutNames(LAYOUT_TABLE)).toString());
        }

        static IllegalArgumentException wrongKind(String cname, boolean isEnum, Object decl) {
            return new IllegalArgumentException(new StringBuilder(cname).append(isEnum
                ? ": give a class whose static fields are its constants, or a Map of them, not "
                : ": give a Structure subclass or instance, not ").append(decl).toString());
        }
    }
}
