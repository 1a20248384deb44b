
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
            return cat(outcome, ": ", message);
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
    }

    // Messages are built here rather than with '+': javac turns '+' into an
    // invokedynamic call site that costs milliseconds to link the first time,
    // and the guard runs once, at load time.
    private static String cat(Object... parts) {
        StringBuilder b = new StringBuilder();
        for (Object p : parts)
            b.append(p);
        return b.toString();
    }

    private static String policy() {
        String p = System.getenv("ABIGUARD_POLICY");
        if (p != null && (p.equals("default") || p.equals("strict") || p.equals("warn") || p.equals("off")))
            return p;
        return DEFAULT_POLICY;
    }

    private static Verdict refuse(String policy, String what, boolean strict) {
        if (policy.equals("warn"))
            return new Verdict("warned", cat(what, "; running anyway (ABIGUARD_POLICY=warn)"));
        if (strict)
            throw new Refused(cat(what, "; refusing to load under the strict policy (ABIGUARD_POLICY=default would accept it)"));
        throw new Refused(cat(what, "; refusing to load (ABIGUARD_POLICY=warn would run anyway)"));
    }

    // ---- the loaded object, read from memory ----------------------------

    private static final int W = Native.POINTER_SIZE;
    private static final String HEX = "0123456789abcdef";
    private static volatile Function dladdr1; // libc's, looked up once

    private static long u32(long a) {
        return new Pointer(a).getInt(0) & 0xffffffffL;
    }

    private static int u16(long a) {
        return new Pointer(a).getShort(0) & 0xffff;
    }

    private static java.nio.ByteBuffer read(long a, int n) {
        return java.nio.ByteBuffer.wrap(new Pointer(a).getByteArray(0, n)).order(java.nio.ByteOrder.nativeOrder());
    }

    private static long wordAt(java.nio.ByteBuffer b, int off) {
        return W == 8 ? b.getLong(off) : b.getInt(off) & 0xffffffffL;
    }

    // An instance is one loaded object (the class's own, so that no other
    // class is loaded to read it): its link_map's l_addr, l_name and l_ld,
    // its PT_NOTE segments, and its dynamic section, read when first needed
    // (a known build-id decides without it).
    private final long base, ld, nameAddr, dynSize;
    private final List<long[]> notes = new ArrayList<>();
    private Map<Long, Long> tags;
    private long strtab, strsz, symtab, versym;
    private Map<Integer, String> versions;

    // lm: its link_map; fbase: where its first segment, and so its ELF
    // header, is mapped (dladdr's dli_fbase).
    private @C@(long lm, long fbase) {
        java.nio.ByteBuffer l = read(lm, 3 * W);
        base = wordAt(l, 0);
        nameAddr = wordAt(l, W);
        ld = wordAt(l, 2 * W);
        dynSize = fbase != 0 ? phdrs(fbase) : 0;
    }

    private String path() {
        return nameAddr != 0 ? new Pointer(nameAddr).getString(0, "UTF-8") : "";
    }

    private Map<Long, Long> dynamic() {
        if (tags != null)
            return tags;
        tags = new HashMap<>();
        int step = 2 * W;
        if (dynSize > 0) { // PT_DYNAMIC says how long it is: one read
            java.nio.ByteBuffer d = read(ld, (int) (dynSize - dynSize % step));
            for (int off = 0; off + step <= d.capacity(); off += step) {
                long tag = W == 8 ? d.getLong(off) : d.getInt(off);
                if (tag == 0)
                    break;
                tags.putIfAbsent(tag, wordAt(d, off + W));
            }
        } else {
            for (int i = 0; ld != 0 && i < 4096; i++) { // one entry at a time: no read past DT_NULL
                java.nio.ByteBuffer d = read(ld + (long) i * step, step);
                long tag = W == 8 ? d.getLong(0) : d.getInt(0);
                if (tag == 0)
                    break;
                tags.putIfAbsent(tag, wordAt(d, W));
            }
        }
        strtab = addr(tags.getOrDefault(5L, 0L));
        strsz = tags.getOrDefault(10L, 0L);
        return tags;
    }

    private String soname() {
        Map<Long, Long> t = dynamic();
        return t.containsKey(14L) && strtab != 0 ? string(t.get(14L)) : null;
    }

    // The PT_NOTE segments into notes, and PT_DYNAMIC's size; 0 unless
    // its PT_DYNAMIC is the one loaded.
    private long phdrs(long fbase) {
        java.nio.ByteBuffer e = read(fbase, W == 8 ? 64 : 52);
        if (e.get(0) != 0x7f || e.get(1) != 'E' || e.get(2) != 'L' || e.get(3) != 'F' || e.get(4) != (W == 8 ? 2 : 1))
            return 0;
        long phoff = W == 8 ? e.getLong(32) : e.getInt(28) & 0xffffffffL;
        int phentsize = e.getShort(W == 8 ? 54 : 42) & 0xffff, phnum = e.getShort(W == 8 ? 56 : 44) & 0xffff;
        if (phnum == 0 || phnum > 256 || phentsize != (W == 8 ? 56 : 32))
            return 0;
        java.nio.ByteBuffer t = read(fbase + phoff, phentsize * phnum);
        long dynSize = 0;
        List<long[]> found = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int o = i * phentsize;
            long type = t.getInt(o) & 0xffffffffL;
            long vaddr = W == 8 ? t.getLong(o + 16) : t.getInt(o + 8) & 0xffffffffL;
            long memsz = W == 8 ? t.getLong(o + 40) : t.getInt(o + 20) & 0xffffffffL;
            long align = W == 8 ? t.getLong(o + 48) : t.getInt(o + 28) & 0xffffffffL;
            if (type == 2 && base + vaddr == ld)
                dynSize = memsz;
            else if (type == 4)
                found.add(new long[] { base + vaddr, memsz, align == 8 ? 8 : 4 });
        }
        if (dynSize > 0)
            notes.addAll(found);
        return dynSize;
    }

    // glibc relocates most entries in place; DT_VERDEF keeps its link-time value.
    long addr(long v) {
        return v != 0 && v < base ? v + base : v;
    }

    String string(long off) {
        return off < strsz ? new Pointer(strtab + off).getString(0, "UTF-8") : null;
    }

    // NT_GNU_BUILD_ID from its PT_NOTE segments, or null.
    String buildId() {
        for (long[] n : notes) {
            byte[] b = new Pointer(n[0]).getByteArray(0, (int) n[1]);
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder());
            int a = (int) n[2], pos = 0;
            while (pos + 12 <= b.length) {
                int namesz = bb.getInt(pos), descsz = bb.getInt(pos + 4), type = bb.getInt(pos + 8);
                int nameEnd = pos + 12 + ((namesz + a - 1) & ~(a - 1));
                if (type == 3 && namesz == 4 && b[pos + 12] == 'G' && b[pos + 13] == 'N' && b[pos + 14] == 'U') {
                    StringBuilder hex = new StringBuilder();
                    for (int k = nameEnd; k < nameEnd + descsz && k < b.length; k++)
                        hex.append(HEX.charAt((b[k] >> 4) & 15)).append(HEX.charAt(b[k] & 15));
                    return hex.toString();
                }
                pos = nameEnd + ((descsz + a - 1) & ~(a - 1));
            }
        }
        return null;
    }

    String versionName(int idx) {
        if (versions == null) { // read .gnu.version_d once: index -> name
            versions = new HashMap<>();
            long p = addr(dynamic().getOrDefault(0x6ffffffcL, 0L)); // DT_VERDEF
            long n = tags.getOrDefault(0x6ffffffdL, 0L);       // DT_VERDEFNUM
            for (long i = 0; p != 0 && i < n; i++) {
                java.nio.ByteBuffer v = read(p, 20);
                int ndx = v.getShort(4) & 0xffff, cnt = v.getShort(6) & 0xffff;
                long aux = v.getInt(12) & 0xffffffffL, next = v.getInt(16) & 0xffffffffL;
                if (cnt != 0)
                    versions.put(ndx, string(u32(p + aux)));
                if (next == 0)
                    break;
                p += next;
            }
        }
        return versions.get(idx);
    }

    // st_size of symbol i when it defines name (at version, or the
    // default one), else -1; other collects versions that did not fit.
    long defines(long i, String name, String version, List<String> other) {
        java.nio.ByteBuffer e = java.nio.ByteBuffer.wrap(new Pointer(symtab + i * (W == 8 ? 24 : 16))
            .getByteArray(0, W == 8 ? 24 : 16)).order(java.nio.ByteOrder.nativeOrder());
        long stName = e.getInt(0) & 0xffffffffL;
        int stInfo = e.get(W == 8 ? 4 : 12) & 0xff;
        int stShndx = e.getShort(W == 8 ? 6 : 14) & 0xffff;
        long stSize = W == 8 ? e.getLong(16) : e.getInt(8) & 0xffffffffL;
        if (stShndx == 0 || (stInfo >> 4) == 0 || !name.equals(string(stName)))
            return -1;
        String vname = null;
        boolean hidden = false;
        if (versym != 0) {
            int v = u16(versym + 2 * i);
            hidden = (v & 0x8000) != 0;
            v &= 0x7fff;
            if (v == 0)
                return -1;
            if (v >= 2)
                vname = versionName(v);
        }
        if (version != null ? version.equals(vname) : !hidden)
            return stSize;
        if (vname != null)
            other.add(vname);
        return -1;
    }

    // st_size of name's definition, or -1; -2 when there is no hash table.
    long lookup(String name, String version, List<String> other) {
        symtab = addr(dynamic().getOrDefault(6L, 0L));
        versym = addr(tags.getOrDefault(0x6ffffff0L, 0L));
        long gnu = addr(tags.getOrDefault(0x6ffffef5L, 0L)), sysv = addr(tags.getOrDefault(4L, 0L));
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (symtab != 0 && gnu != 0) {
            long nbuckets = u32(gnu), symoffset = u32(gnu + 4), bloomSize = u32(gnu + 8);
            long buckets = gnu + 16 + bloomSize * W, chain = buckets + 4 * nbuckets;
            int h = 5381;
            for (byte c : bytes)
                h = h * 33 + (c & 0xff);
            long uh = Integer.toUnsignedLong(h);
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
        if (symtab != 0 && sysv != 0) {
            long nbucket = u32(sysv), nchain = u32(sysv + 4);
            long h = 0;
            for (byte c : bytes) {
                h = ((h << 4) + (c & 0xff)) & 0xffffffffL;
                long g = h & 0xf0000000L;
                if (g != 0)
                    h ^= g >>> 24;
                h &= ~g & 0xffffffffL;
            }
            if (nbucket == 0)
                return -1;
            long i = u32(sysv + 8 + 4 * (h % nbucket));
            for (long steps = 0; i != 0 && i < nchain && steps < nchain; steps++) {
                long size = defines(i, name, version, other);
                if (size >= 0)
                    return size;
                i = u32(sysv + 8 + 4 * nbucket + 4 * i);
            }
            return -1;
        }
        return -2;
    }

    // The first difference from the baseline, or null; objects[0] counts
    // the data objects whose size matched.
    String compare(int[] objects) {
        String soname = soname();
        if (SONAME_REQUIRED && !SONAME.equals(soname))
            return cat("its SONAME is ", soname != null ? cat("'", soname, "'") : "missing", ", not ", SONAME);
        for (Object[] s : SYMBOLS) {
            String name = (String) s[0], version = (String) s[1];
            boolean isObject = (Boolean) s[2];
            long size = (Long) s[3];
            List<String> other = new ArrayList<>();
            long got = lookup(name, version, other);
            if (got == -2)
                return cat("its dynamic symbol table has no hash table to look ", name, " up in");
            if (got < 0)
                return cat("it lacks ", name, version != null ? cat("@", version) : "",
                    other.isEmpty() ? "" : cat(" (it has ", other.get(0), ")"));
            if (isObject) {
                if (got != size)
                    return cat("its ", name, " is a ", got, "-byte object, ", size, " bytes in ", BASELINE);
                objects[0]++;
            }
        }
        return null;
    }

    // The object lib was loaded from: the one defining the first required
    // symbol it resolves (dladdr1(RTLD_DL_LINKMAP)); null if none.
    private static @C@ loaded(NativeLibrary lib) {
        Function dladdr1 = @C@.dladdr1;
        if (dladdr1 == null)
            @C@.dladdr1 = dladdr1 = NativeLibrary.getInstance("c").getFunction("dladdr1");
        for (Object[] s : SYMBOLS) {
            Pointer p;
            try {
                p = lib.getGlobalVariableAddress((String) s[0]);
            } catch (UnsatisfiedLinkError e) {
                continue; // not in it
            }
            // Dl_info (dli_fname, dli_fbase, dli_sname, dli_saddr) and the
            // link_map dladdr1 stores, into Java arrays JNA copies back: a
            // Memory or a PointerByReference would load classes (a cleaner,
            // conversion machinery) that cost milliseconds the first time.
            long lm, fbase;
            if (W == 8) {
                long[] info = new long[4], map = new long[1];
                if (dladdr1.invokeInt(new Object[] { p, info, map, 2 }) == 0) // RTLD_DL_LINKMAP
                    return null;
                lm = map[0];
                fbase = info[1];
            } else {
                int[] info = new int[4], map = new int[1];
                if (dladdr1.invokeInt(new Object[] { p, info, map, 2 }) == 0)
                    return null;
                lm = map[0] & 0xffffffffL;
                fbase = info[1] & 0xffffffffL;
            }
            return lm != 0 ? new @C@(lm, fbase) : null;
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
            return new Verdict("off", cat(SONAME, ": ABI check disabled (ABIGUARD_POLICY=off)"));
        @C@ o = loaded(lib);
        if (o == null)
            return refuse(pol, cat(SONAME, ": the library given defines none of the ", SYMBOLS.length,
                " symbols this binding requires: cannot check it against ", BASELINE), false);
        String id = o.buildId();
        for (String[] r : COMPATIBLE)
            if (r[0].equals(id))
                return new Verdict("verified", cat(SONAME, " (build-id ", id, ") is ", r[1], ", verified compatible with ",
                    BASELINE, " this binding was built against"));
        for (String[] r : INCOMPATIBLE)
            if (r[0].equals(id))
                return refuse(pol, cat(SONAME, " (build-id ", id, ") is ", r[1], ", incompatible with ", BASELINE,
                    " this binding was built against: ", r[2]), false);
        int[] objects = { 0 };
        String problem = o.compare(objects);
        String where = cat(SONAME, " (", o.path(), ", build-id ", id != null ? id : "none", ")");
        if (problem != null)
            return refuse(pol, cat(where, " is an unknown build that does not match ", BASELINE,
                " this binding was built against: ", problem), false);
        String what = cat(where, " is an unverified build: not a release of ", LIBRARY,
            " known when this guard was generated, but its SONAME", objects[0] > 0 ? "," : " and", " all ", SYMBOLS.length,
            " required symbols and versions", objects[0] > 0 ? cat(" and the sizes of its ", objects[0], " data objects") : "",
            " match ", BASELINE);
        if (pol.equals("strict"))
            return refuse(pol, what, true);
        return new Verdict("accepted-unverified", cat(what, "; accepted unverified (ABIGUARD_POLICY=strict would refuse it)"));
    }

    // ---- the binding's own declarations -----------------------------------

    // The baseline's layout of cname, parsed from its line of LAYOUT_TABLE
    // (only the types verifyLayouts is given are ever parsed): { kind, size,
    // alignment, members or enumerators }, or null.
    private static String[] layoutOf(String cname) {
        String key = cat("\n", cname, "|");
        int at = LAYOUT_TABLE.indexOf(key);
        if (at < 0)
            return null;
        return LAYOUT_TABLE.substring(at + key.length(), LAYOUT_TABLE.indexOf('\n', at + 1)).split("\\|", -1);
    }

    private static String layoutNames() {
        Set<String> names = new TreeSet<>();
        for (String line : LAYOUT_TABLE.split("\n"))
            if (!line.isEmpty())
                names.add(line.substring(0, line.indexOf('|')));
        return names.toString();
    }

    // What JNA computed for a Structure, read from its private fields
    // structFields (name -> StructField, in the declared order; a
    // StructField's offset and size are public) and structAlignment:
    // reaching the protected fieldOffset, getFieldOrder and
    // getStructAlignment instead builds the reflection data of all of
    // Structure's methods, milliseconds at load time. null: this JNA keeps
    // them otherwise, and the methods are used.
    private static volatile Field[] jnaFields;
    private static volatile Method[] jnaMethods;

    private static Field[] jnaFields() {
        Field[] f = jnaFields;
        if (f == null) {
            try {
                Class<?> sf = Class.forName("com.sun.jna.Structure$StructField", false, Structure.class.getClassLoader());
                f = new Field[] { Structure.class.getDeclaredField("structFields"),
                                  Structure.class.getDeclaredField("structAlignment"), sf.getField("offset"),
                                  sf.getField("size") };
                for (Field x : f)
                    x.setAccessible(true);
                if (!Map.class.isAssignableFrom(f[0].getType()) || f[1].getType() != int.class
                    || f[2].getType() != int.class || f[3].getType() != int.class)
                    f = new Field[0];
            } catch (ReflectiveOperationException | RuntimeException e) {
                f = new Field[0];
            }
            jnaFields = f;
        }
        return f.length > 0 ? f : null;
    }

    private static Method[] jnaMethods() throws ReflectiveOperationException {
        Method[] m = jnaMethods;
        if (m == null) {
            m = new Method[] { Structure.class.getDeclaredMethod("fieldOffset", String.class),
                               Structure.class.getDeclaredMethod("getFieldOrder"),
                               Structure.class.getDeclaredMethod("getStructAlignment") };
            for (Method x : m)
                x.setAccessible(true);
            jnaMethods = m;
        }
        return m;
    }

    private static Field field(Class<?> c, String name) throws NoSuchFieldException {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            try {
                return k.getDeclaredField(name);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(name);
    }

    private static void compareStructure(String cname, String[] w, Structure s, List<String> problems) throws ReflectiveOperationException {
        long wsize = Long.parseLong(w[1]), walign = Long.parseLong(w[2]);
        int size = s.size(); // (computes the layout)
        // The binding's members in its order: name, offset, size.
        List<String> order = new ArrayList<>();
        List<long[]> got = new ArrayList<>();
        int align;
        Field[] j = jnaFields();
        if (j != null) {
            align = j[1].getInt(s);
            Map<?, ?> fields = (Map<?, ?>) j[0].get(s);
            synchronized (fields) {
                for (Map.Entry<?, ?> e : fields.entrySet()) {
                    order.add((String) e.getKey());
                    got.add(new long[] { j[2].getInt(e.getValue()), j[3].getInt(e.getValue()) });
                }
            }
        } else {
            Method[] m = jnaMethods();
            align = (Integer) m[2].invoke(s);
            @SuppressWarnings("unchecked")
            List<String> names = (List<String>) m[1].invoke(s);
            for (String g : names) {
                Field f = field(s.getClass(), g);
                f.setAccessible(true);
                order.add(g);
                got.add(new long[] { (Integer) m[0].invoke(s, g), Native.getNativeSize(f.getType(), f.get(s)) });
            }
        }
        if (size != wsize)
            problems.add(cat(cname, " is ", size, " bytes in the binding's declaration, ", wsize, " in ", BASELINE));
        if (walign != 0 && align != walign)
            problems.add(cat(cname, " is aligned to ", align, " bytes in the binding's declaration, ", walign, " in ", BASELINE));
        // The baseline's members: name, offset, size, bit offset, bits.
        String[] members = w[3].isEmpty() ? new String[0] : w[3].split(";");
        String[] names = new String[members.length];
        long[][] want = new long[members.length][];
        for (int k = 0; k < members.length; k++) {
            String[] m = members[k].split(",");
            names[k] = m[0];
            want[k] = new long[] { Long.parseLong(m[1]), Long.parseLong(m[2]), Long.parseLong(m[3]), Long.parseLong(m[4]) };
        }
        List<String> wantNames = Arrays.asList(names);
        Set<String> used = new HashSet<>();
        for (int i = 0; i < order.size(); i++) {
            String g = order.get(i);
            int k = wantNames.indexOf(g);
            if (k < 0 && i < names.length && !order.contains(names[i]))
                k = i; // the binding calls it something else
            if (k < 0) {
                problems.add(cat(cname, ": the binding declares a member ", g, " that ", BASELINE, " does not have"));
                continue;
            }
            used.add(names[k]);
            long off = got.get(i)[0], fsize = got.get(i)[1];
            String label = cat(cname, "::", names[k], g.equals(names[k]) ? "" : cat(" (the binding's ", g, ")"));
            if (want[k][3] != 0)
                problems.add(cat(label, " is a bit-field (bit ", want[k][2], ", ", want[k][3], " bits) in ", BASELINE,
                    ": JNA cannot declare it"));
            else if (off != want[k][0] || fsize != want[k][1])
                problems.add(cat(label, " is at offset ", off, " (", fsize, " bytes) in the binding's declaration, at offset ",
                    want[k][0], " (", want[k][1], " bytes) in ", BASELINE));
        }
        for (int k = 0; k < names.length; k++)
            if (!used.contains(names[k]))
                problems.add(cat(cname, "::", names[k], " is not in the binding's declaration (offset ", want[k][0], ", ",
                    want[k][1], " bytes in ", BASELINE, ")"));
    }

    private static void compareEnum(String cname, String[] w, Object decl, List<String> problems) throws IllegalAccessException {
        Map<String, Long> enumerators = new HashMap<>();
        for (String e : w[3].isEmpty() ? new String[0] : w[3].split(";")) {
            int eq = e.indexOf('=');
            enumerators.put(e.substring(0, eq), Long.parseLong(e.substring(eq + 1)));
        }
        Map<String, Long> got = new TreeMap<>();
        if (decl instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) decl).entrySet())
                got.put(String.valueOf(e.getKey()), ((Number) e.getValue()).longValue());
        } else { // a class or interface holding the constants as static fields
            for (Field f : ((Class<?>) decl).getFields())
                if (Modifier.isStatic(f.getModifiers()) && enumerators.containsKey(f.getName())
                    && f.get(null) instanceof Number)
                    got.put(f.getName(), ((Number) f.get(null)).longValue());
        }
        for (Map.Entry<String, Long> e : got.entrySet()) {
            Long want = enumerators.get(e.getKey());
            if (want == null)
                problems.add(cat(cname, ": ", e.getKey(), " is not an enumerator of it in ", BASELINE));
            else if (!want.equals(e.getValue()))
                problems.add(cat(cname, ": ", e.getKey(), " is ", e.getValue(), " in the binding, ", want, " in ", BASELINE));
        }
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
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, ?> e : declared.entrySet()) {
            String cname = e.getKey();
            String[] w = layoutOf(cname);
            if (w == null)
                throw new IllegalArgumentException(cat(cname, ": not one of the types the symbols this guard checks reach in ",
                    BASELINE, ": ", layoutNames()));
            Object decl = e.getValue();
            try {
                if (w[0].equals("enum"))
                    compareEnum(cname, w, decl, problems);
                else if (decl instanceof Structure)
                    compareStructure(cname, w, (Structure) decl, problems);
                else if (decl instanceof Class && Structure.class.isAssignableFrom((Class<?>) decl)) {
                    java.lang.reflect.Constructor<?> c = ((Class<?>) decl).getDeclaredConstructor();
                    c.setAccessible(true);
                    compareStructure(cname, w, (Structure) c.newInstance(), problems);
                } else
                    throw new IllegalArgumentException(cat(cname, ": give a Structure subclass or instance, not ", decl));
            } catch (ReflectiveOperationException ex) {
                throw new IllegalArgumentException(cat(cname, ": cannot inspect ", decl, ": ", ex), ex);
            }
        }
        if (!problems.isEmpty())
            return refuse(pol, cat("the binding's declarations do not match ", BASELINE, ": ", String.join("; ", problems)), false);
        return new Verdict("verified", cat(declared.size(), " declarations match ", BASELINE));
    }
}
