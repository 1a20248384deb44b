
class AbiGuardError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AbiGuardError';
  }
}

function policy() {
  const p = process.env.ABIGUARD_POLICY || '';
  return ['default', 'strict', 'warn', 'off'].includes(p) ? p : DEFAULT_POLICY;
}

function refuse(pol, what, strict) {
  if (pol === 'warn')
    return { outcome: 'warned', message: what + '; running anyway (ABIGUARD_POLICY=warn)' };
  if (strict)
    throw new AbiGuardError(what + '; refusing to load under the strict policy (ABIGUARD_POLICY=default would accept it)');
  throw new AbiGuardError(what + '; refusing to load (ABIGUARD_POLICY=warn would run anyway)');
}

// ---- the loaded object, read from memory -------------------------------

// Not require('os').endianness(): loading the os module costs a millisecond.
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO32 = 4294967296;

// Memory is read a table at a time: one koffi.view (the process's own
// memory, not a copy) seen as native-order typed arrays, whose indexing
// costs next to nothing; a koffi.decode per value costs microseconds the
// first time, a DataView more. Single values (hash chains) are decoded.
function reader(koffi) {
  const W = koffi.sizeof('void *');
  const u32 = (a) => koffi.decode(a, 'uint32');
  // A 64-bit word from two halves of a Uint32Array: a uint64 would come back
  // as a BigInt. (Addresses and sizes stay below 2^53.)
  const word = W === 8 ? (u, i) => (LE ? u[i] + u[i + 1] * TWO32 : u[i] * TWO32 + u[i + 1]) : (u, i) => u[i];
  return {
    W,
    u32,
    word, // word(Uint32Array, index of its first half)
    u32s: (a, n) => new Uint32Array(koffi.view(a, 4 * n)),
    u16s: (a, n) => new Uint16Array(koffi.view(a, 2 * n)),
    bytes: (a, n) => new Uint8Array(koffi.view(a, n)),
    str: (a) => koffi.decode(a, 'char', -1), // NUL-terminated
  };
}

class LoadedObject {
  // lm: its link_map; fbase: where its first segment, and so its ELF
  // header, is mapped (dladdr's dli_fbase). The dynamic section is read
  // when first needed: a known build-id decides without it.
  constructor(m, lm, fbase) {
    this.m = m;
    const l = m.u32s(lm, 3 * m.W / 4); // l_addr, l_name, l_ld
    const k = m.W / 4;
    this.base = m.word(l, 0);
    this.name = m.word(l, k);
    this.ld = m.word(l, 2 * k);
    this.dynSize = 0;
    this.notes = fbase ? this.phdrs(fbase) : [];
    this.tagMap = null;
    this.versions = null;
  }

  get path() {
    return this.name ? this.m.str(this.name) : '';
  }

  get tags() {
    if (!this.tagMap) {
      const m = this.m, k = m.W / 4, step = 2 * m.W;
      const tags = new Map();
      const add = (u, i) => { // false at DT_NULL
        const tag = m.word(u, i); // (only DT_NULL and tags below 2^31 are compared)
        if (tag === 0)
          return false;
        if (!tags.has(tag))
          tags.set(tag, m.word(u, i + k));
        return true;
      };
      if (this.dynSize >= step) { // PT_DYNAMIC says how long it is: one read
        const n = Math.floor(this.dynSize / step);
        const u = m.u32s(this.ld, n * 2 * k);
        for (let i = 0; i < n && add(u, i * 2 * k); i++)
          ;
      } else {
        for (let i = 0; this.ld && i < 4096; i++) // one entry at a time: no read past DT_NULL
          if (!add(m.u32s(this.ld + i * step, 2 * k), 0))
            break;
      }
      this.tagMap = tags;
      this.strtab = this.addr(tags.get(5) || 0);
      this.strsz = tags.get(10) || 0;
    }
    return this.tagMap;
  }

  get soname() {
    const tags = this.tags;
    return tags.has(14) && this.strtab ? this.string(tags.get(14)) : null;
  }

  // glibc relocates most entries in place; DT_VERDEF keeps its link-time value.
  addr(v) {
    return v && v < this.base ? v + this.base : v;
  }

  string(off) {
    return off < this.strsz ? this.m.str(this.strtab + off) : null;
  }

  // [[PT_NOTE address, size, alignment]...] from the program headers, and
  // PT_DYNAMIC's size into dynSize; [] unless its PT_DYNAMIC is the one loaded.
  phdrs(fbase) {
    const m = this.m, W = m.W;
    const e = m.u32s(fbase, W === 8 ? 16 : 13); // the ELF header
    if (e[0] !== (LE ? 0x464c457f : 0x7f454c46) || (LE ? e[1] & 0xff : e[1] >>> 24) !== (W === 8 ? 2 : 1))
      return [];
    const phoff = W === 8 ? m.word(e, 8) : e[7];
    const half = (i) => (LE ? (i & 1 ? e[i >> 1] >>> 16 : e[i >> 1] & 0xffff)
                            : (i & 1 ? e[i >> 1] & 0xffff : e[i >> 1] >>> 16)); // 16-bit field i
    const phentsize = half(W === 8 ? 27 : 21), phnum = half(W === 8 ? 28 : 22);
    if (phnum === 0 || phnum > 256 || phentsize !== (W === 8 ? 56 : 32))
      return [];
    const t = m.u32s(fbase + phoff, phnum * phentsize / 4), n = phentsize / 4;
    const notes = [];
    for (let i = 0; i < phnum; i++) {
      const o = i * n, type = t[o];
      if (type !== 2 && type !== 4)
        continue;
      // 64-bit: type, flags, offset, vaddr, paddr, filesz, memsz, align;
      // 32-bit: type, offset, vaddr, paddr, filesz, memsz, flags, align
      const vaddr = W === 8 ? m.word(t, o + 4) : t[o + 2];
      const memsz = W === 8 ? m.word(t, o + 10) : t[o + 5];
      if (type === 2) {
        if (this.base + vaddr === this.ld)
          this.dynSize = memsz;
        continue;
      }
      const align = W === 8 ? m.word(t, o + 12) : t[o + 7];
      notes.push([this.base + vaddr, memsz, align === 8 ? 8 : 4]);
    }
    return this.dynSize ? notes : [];
  }

  // NT_GNU_BUILD_ID from its PT_NOTE segments, or null.
  buildId() {
    const m = this.m;
    for (const [addr, memsz, a] of this.notes) {
      const u = m.u32s(addr, memsz >>> 2);
      let pos = 0;
      while (pos + 12 <= memsz) {
        const namesz = u[pos >> 2], descsz = u[(pos >> 2) + 1], type = u[(pos >> 2) + 2];
        const nameEnd = pos + 12 + ((namesz + a - 1) & ~(a - 1));
        if (type === 3 && namesz === 4 && u[(pos >> 2) + 3] === (LE ? 0x00554e47 : 0x474e5500))
          return Buffer.from(u.buffer, nameEnd, Math.max(0, Math.min(descsz, 64, u.byteLength - nameEnd))).toString('hex');
        pos = nameEnd + ((descsz + a - 1) & ~(a - 1));
      }
    }
    return null;
  }

  versionName(idx) {
    if (!this.versions) { // read .gnu.version_d once: index -> name
      const m = this.m;
      this.versions = new Map();
      let p = this.addr(this.tags.get(0x6ffffffc) || 0); // DT_VERDEF
      const n = this.tags.get(0x6ffffffd) || 0;           // DT_VERDEFNUM
      for (let i = 0; p && i < n; i++) {
        const v = m.u32s(p, 5); // vd_version, vd_flags | vd_ndx, vd_cnt | vd_hash, vd_aux, vd_next
        const ndx = LE ? v[1] & 0xffff : v[1] >>> 16, cnt = LE ? v[1] >>> 16 : v[1] & 0xffff;
        if (cnt)
          this.versions.set(ndx, this.string(m.u32(p + v[3])));
        if (!v[4])
          break;
        p += v[4];
      }
    }
    return this.versions.has(idx) ? this.versions.get(idx) : null;
  }

  defines(i, name, version, other) {
    const m = this.m, W = m.W;
    const s = m.u32s(this.symtab + i * (W === 8 ? 24 : 16), W === 8 ? 6 : 4);
    // 64-bit: st_name, st_info st_other st_shndx, st_value, st_size;
    // 32-bit: st_name, st_value, st_size, st_info st_other st_shndx
    const packed = W === 8 ? s[1] : s[3];
    const stInfo = LE ? packed & 0xff : packed >>> 24;
    const stShndx = LE ? packed >>> 16 : packed & 0xffff;
    const stSize = W === 8 ? m.word(s, 4) : s[2];
    if (stShndx === 0 || stInfo >> 4 === 0 || this.string(s[0]) !== name)
      return null;
    let vname = null, hidden = false;
    if (this.versym) {
      let v = m.u16s(this.versym + 2 * i, 1)[0];
      hidden = (v & 0x8000) !== 0;
      v &= 0x7fff;
      if (v === 0)
        return null;
      if (v >= 2)
        vname = this.versionName(v);
    }
    if (version ? vname === version : !hidden)
      return stSize;
    if (vname)
      other.push(vname);
    return null;
  }

  // st_size of name's definition (at version, or the default one), or null;
  // undefined when there is no hash table to look it up in.
  lookup(name, version, other) {
    const m = this.m, tags = this.tags;
    this.symtab = this.addr(tags.get(6) || 0);
    this.versym = this.addr(tags.get(0x6ffffff0) || 0);
    const gnu = this.addr(tags.get(0x6ffffef5) || 0), sysv = this.addr(tags.get(4) || 0);
    const bytes = Buffer.from(name, 'utf8');
    if (this.symtab && gnu) {
      const g = m.u32s(gnu, 4); // nbuckets, symoffset, bloom size, bloom shift
      const nbuckets = g[0], symoffset = g[1];
      const buckets = gnu + 16 + g[2] * m.W, chain = buckets + 4 * nbuckets;
      let h = 5381;
      for (const c of bytes)
        h = (Math.imul(h, 33) + c) >>> 0;
      if (!nbuckets)
        return null;
      let i = m.u32(buckets + 4 * (h % nbuckets));
      if (i < symoffset)
        return null;
      for (;; i++) {
        const h2 = m.u32(chain + 4 * (i - symoffset));
        if (((h2 | 1) >>> 0) === ((h | 1) >>> 0)) {
          const size = this.defines(i, name, version, other);
          if (size !== null)
            return size;
        }
        if (h2 & 1)
          return null;
      }
    }
    if (this.symtab && sysv) {
      const nbucket = m.u32(sysv), nchain = m.u32(sysv + 4);
      let h = 0;
      for (const c of bytes) {
        h = ((h << 4) + c) >>> 0;
        const g = (h & 0xf0000000) >>> 0;
        if (g)
          h = (h ^ (g >>> 24)) >>> 0;
        h = (h & ~g) >>> 0;
      }
      if (!nbucket)
        return null;
      let i = m.u32(sysv + 8 + 4 * (h % nbucket));
      for (let steps = 0; i && i < nchain && steps < nchain; steps++) {
        const size = this.defines(i, name, version, other);
        if (size !== null)
          return size;
        i = m.u32(sysv + 8 + 4 * nbucket + 4 * i);
      }
      return null;
    }
    return undefined;
  }

  // [first difference from the baseline or null, data objects checked]
  compare() {
    const soname = this.soname;
    if (SONAME_REQUIRED && soname !== SONAME)
      return [`its SONAME is ${soname ? `'${soname}'` : 'missing'}, not ${SONAME}`, 0];
    let objects = 0;
    for (const [name, version, isObject, size] of SYMBOLS) {
      const other = [];
      const got = this.lookup(name, version, other);
      if (got === undefined)
        return [`its dynamic symbol table has no hash table to look ${name} up in`, objects];
      if (got === null)
        return [`it lacks ${name}${version ? '@' + version : ''}${other.length ? ` (it has ${other[0]})` : ''}`, objects];
      if (isObject) {
        if (got !== size)
          return [`its ${name} is a ${got}-byte object, ${size} bytes in ${BASELINE}`, objects];
        objects++;
      }
    }
    return [null, objects];
  }
}

let libc = null;

// The object lib (a koffi library) was loaded from: the one defining the
// first required symbol it resolves (dladdr1(RTLD_DL_LINKMAP)); null if none.
function loaded(lib, koffi) {
  if (!libc) {
    const c = koffi.load('libc.so.6');
    libc = { dladdr1: c.func('int dladdr1(void *addr, void *info, _Out_ void **extra, int flags)') };
  }
  const m = reader(koffi);
  for (const [name] of SYMBOLS) {
    let p;
    try {
      p = lib.symbol(name, 'char');
    } catch (e) {
      continue; // not found in it
    }
    // Dl_info (dli_fname, dli_fbase, dli_sname, dli_saddr) as native words
    const info = new Uint32Array(m.W), out = [null];
    if (!libc.dladdr1(p, info, out, 2) || !out[0]) // RTLD_DL_LINKMAP
      return null;
    return new LoadedObject(m, Number(koffi.address(out[0])), m.word(info, m.W / 4));
  }
  return null;
}

// Checks the library a koffi binding loaded (lib = koffi.load(...))
// against the release it was built for. Returns { outcome: 'verified' |
// 'accepted-unverified' | 'warned' | 'off', message }; throws
// AbiGuardError when it is refused.
function verify(lib, koffi) {
  koffi = koffi || require('koffi');
  const pol = policy();
  if (pol === 'off')
    return { outcome: 'off', message: `${SONAME}: ABI check disabled (ABIGUARD_POLICY=off)` };
  const o = loaded(lib, koffi);
  if (!o)
    return refuse(pol, `${SONAME}: the library given defines none of the ${SYMBOLS.length} symbols this binding requires: cannot check it against ${BASELINE}`);
  const id = o.buildId();
  if (id && Object.prototype.hasOwnProperty.call(COMPATIBLE, id))
    return { outcome: 'verified', message: `${SONAME} (build-id ${id}) is ${COMPATIBLE[id]}, verified compatible with ${BASELINE} this binding was built against` };
  if (id && Object.prototype.hasOwnProperty.call(INCOMPATIBLE, id)) {
    const [release, why] = INCOMPATIBLE[id];
    return refuse(pol, `${SONAME} (build-id ${id}) is ${release}, incompatible with ${BASELINE} this binding was built against: ${why}`);
  }
  const [problem, objects] = o.compare();
  if (problem)
    return refuse(pol, `${SONAME} (${o.path}, build-id ${id || 'none'}) is an unknown build that does not match ${BASELINE} this binding was built against: ${problem}`);
  const what = `${SONAME} (${o.path}, build-id ${id || 'none'}) is an unverified build: not a release of ${LIBRARY} known when this guard was generated, but its SONAME${objects ? ',' : ' and'} all ${SYMBOLS.length} required symbols and versions${objects ? ` and the sizes of its ${objects} data objects` : ''} match ${BASELINE}`;
  if (pol === 'strict')
    return refuse(pol, what, true);
  return { outcome: 'accepted-unverified', message: what + '; accepted unverified (ABIGUARD_POLICY=strict would refuse it)' };
}

// ---- the binding's own declarations --------------------------------------

function typeInfo(koffi, t) {
  return typeof koffi.type === 'function' ? koffi.type(t) : koffi.introspect(t);
}

function compareFields(cname, got, want, problems) {
  const wantNames = want.map((w) => w[0]);
  const gotNames = got.map((g) => g[0]);
  const used = new Set();
  got.forEach((g, i) => {
    let w;
    if (wantNames.includes(g[0]))
      w = want[wantNames.indexOf(g[0])];
    else if (i < want.length && !gotNames.includes(want[i][0]))
      w = want[i]; // the binding calls it something else
    else {
      problems.push(`${cname}: the binding declares a member ${g[0]} that ${BASELINE} does not have`);
      return;
    }
    used.add(w[0]);
    const label = `${cname}::${w[0]}` + (g[0] === w[0] ? '' : ` (the binding's ${g[0]})`);
    if (w[4])
      problems.push(`${label} is a bit-field (bit ${w[3]}, ${w[4]} bits) in ${BASELINE}: koffi cannot declare it`);
    else if (g[1] !== w[1] || g[2] !== w[2])
      problems.push(`${label} is at offset ${g[1]} (${g[2]} bytes) in the binding's declaration, at offset ${w[1]} (${w[2]} bytes) in ${BASELINE}`);
  });
  for (const w of want)
    if (!used.has(w[0]))
      problems.push(`${cname}::${w[0]} is not in the binding's declaration (offset ${w[1]}, ${w[2]} bytes in ${BASELINE})`);
}

// Compares the binding's koffi declarations with the baseline's layouts:
// declared maps a C type name ('struct geo_point', 'enum geo_kind', a
// typedef) to a koffi type (koffi.struct(...), koffi.union(...), a type
// name) or, for an enum, an object of its constants. Each mismatch names
// the member, both offsets and both sizes. Returns { outcome, message,
// checked }; throws AbiGuardError on a mismatch (unless ABIGUARD_POLICY is
// warn or off), and TypeError for a name not in LAYOUTS.
function verifyLayouts(declared, koffi) {
  koffi = koffi || require('koffi');
  const pol = policy();
  if (pol === 'off')
    return { outcome: 'off', message: 'layout check disabled (ABIGUARD_POLICY=off)', checked: 0 };
  const problems = [];
  const names = Object.keys(declared);
  for (const cname of names) {
    if (!Object.prototype.hasOwnProperty.call(LAYOUTS, cname))
      throw new TypeError(`${cname}: not one of the types the symbols this guard checks reach in ${BASELINE}: ${Object.keys(LAYOUTS).sort().join(', ')}`);
    const [kind, size, align, body] = LAYOUTS[cname];
    const decl = declared[cname];
    if (kind === 'enum' && decl && typeof decl === 'object' && !(decl.constructor && decl.constructor.name === 'TypeObject')) {
      for (const k of Object.keys(decl).sort()) {
        if (!Object.prototype.hasOwnProperty.call(body, k))
          problems.push(`${cname}: ${k} is not an enumerator of it in ${BASELINE}`);
        else if (Number(decl[k]) !== body[k])
          problems.push(`${cname}: ${k} is ${decl[k]} in the binding, ${body[k]} in ${BASELINE}`);
      }
      continue;
    }
    const gsize = koffi.sizeof(decl), galign = koffi.alignof(decl);
    if (gsize !== size)
      problems.push(`${cname} is ${gsize} bytes in the binding's declaration, ${size} in ${BASELINE}`);
    if ((kind === 'struct' || kind === 'union') && align && galign !== align)
      problems.push(`${cname} is aligned to ${galign} bytes in the binding's declaration, ${align} in ${BASELINE}`);
    if (kind === 'struct' || kind === 'union') {
      const info = typeInfo(koffi, decl);
      const got = Object.values(info.members || {}).map((mm) => [mm.name, mm.offset, koffi.sizeof(mm.type)]);
      const same = got.length === body.length &&
        got.every((g, i) => g[0] === body[i][0] && g[1] === body[i][1] && g[2] === body[i][2] && !body[i][4]);
      if (!same) // (equal: nothing to report)
        compareFields(cname, got, body, problems);
    }
  }
  if (problems.length) {
    const r = refuse(pol, `the binding's declarations do not match ${BASELINE}: ${problems.join('; ')}`);
    return Object.assign(r, { checked: names.length });
  }
  return { outcome: 'verified', message: `${names.length} declarations match ${BASELINE}`, checked: names.length };
}

module.exports = { verify, verifyLayouts, AbiGuardError, LIBRARY, BASELINE, SONAME, LAYOUTS, FINGERPRINTS };
