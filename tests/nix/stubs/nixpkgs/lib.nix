# crossflake test stub: a small, self-written subset of `nixpkgs.lib`.
#
# Every function here behaves like its nixpkgs namesake for the inputs the generated flake
# uses; none of it is copied from nixpkgs. A function the generated flake needs but that is
# missing here shows up as "attribute 'X' missing" in the rung-1 tests: add it here.
let
  b = builtins;

  id = x: x;
  const = x: _: x;
  flip = f: a: c: f c a;
  pipe = x: fs: b.foldl' (acc: f: f acc) x fs;

  # ---- attribute sets ----
  nameValuePair = name: value: { inherit name value; };
  genAttrs = names: f: b.listToAttrs (map (n: nameValuePair n (f n)) names);
  mapAttrs' = f: set: b.listToAttrs (map (n: f n set.${n}) (b.attrNames set));
  mapAttrsToList = f: set: map (n: f n set.${n}) (b.attrNames set);
  filterAttrs = pred: set:
    b.listToAttrs (b.concatMap (n: if pred n set.${n} then [ (nameValuePair n set.${n}) ] else [ ]) (b.attrNames set));
  concatMapAttrs = f: set: b.foldl' (acc: n: acc // f n set.${n}) { } (b.attrNames set);
  optionalAttrs = cond: set: if cond then set else { };
  attrByPath = path: default: set:
    if path == [ ] then set
    else
      let h = b.head path; in
      if b.isAttrs set && set ? ${h} then attrByPath (b.tail path) default set.${h} else default;
  hasAttrByPath = path: set:
    path == [ ] || (b.isAttrs set && set ? ${b.head path} && hasAttrByPath (b.tail path) set.${b.head path});
  getAttrFromPath = path: set:
    attrByPath path (throw "cannot find attribute `${concatStringsSep "." path}'") set;
  attrVals = names: set: map (n: set.${n}) names;
  recursiveUpdate = lhs: rhs:
    lhs // b.mapAttrs
      (n: v: if lhs ? ${n} && b.isAttrs v && b.isAttrs lhs.${n} && !(isDerivation v) then recursiveUpdate lhs.${n} v else v)
      rhs;
  zipAttrsWith = f: sets:
    let names = unique (b.concatMap b.attrNames sets); in
    genAttrs names (n: f n (b.catAttrs n sets));
  collect = pred: v:
    if pred v then [ v ]
    else if b.isAttrs v then b.concatMap (collect pred) (b.attrValues v)
    else [ ];
  isDerivation = v: b.isAttrs v && (v.type or null) == "derivation";

  # ---- lists ----
  optional = cond: x: if cond then [ x ] else [ ];
  optionals = cond: xs: if cond then xs else [ ];
  flatten = x: if b.isList x then b.concatMap flatten x else [ x ];
  unique = xs: b.foldl' (acc: x: if b.elem x acc then acc else acc ++ [ x ]) [ ] xs;
  foldl = f: init: xs: b.foldl' f init xs;
  foldr = f: init: xs:
    let n = b.length xs; go = i: if i == n then init else f (b.elemAt xs i) (go (i + 1)); in go 0;
  range = first: last: if first > last then [ ] else b.genList (i: first + i) (last - first + 1);
  last = xs: b.elemAt xs (b.length xs - 1);
  take = n: xs: b.genList (b.elemAt xs) (if n < b.length xs then n else b.length xs);
  drop = n: xs: b.genList (i: b.elemAt xs (i + n)) (let l = b.length xs - n; in if l < 0 then 0 else l);
  count = pred: xs: b.length (b.filter pred xs);
  findFirst = pred: default: xs: let m = b.filter pred xs; in if m == [ ] then default else b.head m;
  intersectLists = a: c: b.filter (x: b.elem x a) c;
  subtractLists = a: c: b.filter (x: !(b.elem x a)) c;
  toList = x: if b.isList x then x else [ x ];
  imap0 = f: xs: b.genList (i: f i (b.elemAt xs i)) (b.length xs);
  imap1 = f: xs: b.genList (i: f (i + 1) (b.elemAt xs i)) (b.length xs);
  reverseList = xs: let l = b.length xs; in b.genList (i: b.elemAt xs (l - i - 1)) l;
  naturalSort = b.sort b.lessThan;

  # ---- strings ----
  concatStringsSep = b.concatStringsSep;
  concatStrings = b.concatStringsSep "";
  concatMapStringsSep = sep: f: xs: b.concatStringsSep sep (map f xs);
  concatMapStrings = f: xs: concatStrings (map f xs);
  concatLines = xs: concatMapStrings (s: s + "\n") xs;
  optionalString = cond: s: if cond then s else "";
  hasPrefix = pre: s: b.substring 0 (b.stringLength pre) s == pre;
  hasSuffix = suf: s:
    let ls = b.stringLength s; lf = b.stringLength suf; in
    lf <= ls && b.substring (ls - lf) lf s == suf;
  hasInfix = inf: s: b.match ".*${escapeRegex inf}.*" s != null;
  removePrefix = pre: s: if hasPrefix pre s then b.substring (b.stringLength pre) (-1) s else s;
  removeSuffix = suf: s:
    if hasSuffix suf s then b.substring 0 (b.stringLength s - b.stringLength suf) s else s;
  lowerChars = stringToCharacters "abcdefghijklmnopqrstuvwxyz";
  upperChars = stringToCharacters "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  toUpper = b.replaceStrings lowerChars upperChars;
  toLower = b.replaceStrings upperChars lowerChars;
  stringToCharacters = s: b.genList (i: b.substring i 1 s) (b.stringLength s);
  escapeRegex = s: b.replaceStrings
    (stringToCharacters "\\[{()^$?*+|.")
    (map (c: "\\" + c) (stringToCharacters "\\[{()^$?*+|.")) s;
  splitString = sep: s: b.filter b.isString (b.split (escapeRegex sep) s);
  escapeShellArg = s: "'${b.replaceStrings [ "'" ] [ "'\\''" ] (toString s)}'";
  escapeShellArgs = xs: concatMapStringsSep " " escapeShellArg xs;
  strings = {
    inherit concatStringsSep concatMapStringsSep optionalString hasPrefix hasSuffix hasInfix
      removePrefix removeSuffix toUpper toLower splitString escapeShellArg escapeShellArgs
      concatStrings concatLines stringToCharacters;
  };
  versionOlder = v1: v2: b.compareVersions v2 v1 == 1;
  versionAtLeast = v1: v2: !(versionOlder v1 v2);

  # ---- types / misc ----
  isFunction = f: b.isFunction f || (b.isAttrs f && f ? __functor);
  warn = msg: v: b.trace "warning: ${msg}" v;
  assertMsg = cond: msg: cond || throw msg;
  # Like nixpkgs' lib.trivial.throwIf: the identity unless cond, then a throw of msg.
  throwIf = cond: msg: if cond then throw msg else x: x;
  importJSON = p: b.fromJSON (b.readFile p);
  importTOML = p: b.fromTOML (b.readFile p);
  getExe = drv: "${drv}/bin/${drv.meta.mainProgram or drv.pname or (throw "getExe: ${drv.name} has no meta.mainProgram")}";
  getExe' = drv: exe: "${drv}/bin/${exe}";
  makeBinPath = drvs: concatMapStringsSep ":" (d: "${d}/bin") drvs;

  # cleanSource: drops VCS folders, editor leftovers and `result` links, like nixpkgs does.
  cleanSourceFilter = name: type:
    let base = b.baseNameOf (toString name); in
    !((type == "directory" && b.elem base [ ".git" ".svn" ".hg" "CVS" ])
      || hasSuffix "~" base
      || b.match "^\\.sw[a-z]$" base != null
      || b.match "^\\..*\\.sw[a-z]$" base != null
      || hasSuffix ".o" base || hasSuffix ".so" base
      || (type == "symlink" && hasPrefix "result" base));
  cleanSourceWith = { src, filter ? (_: _: true), name ? "source" }:
    b.path { path = src; inherit name filter; };
  cleanSource = src: b.path { path = src; name = "source"; filter = cleanSourceFilter; };

  # ---- lib.fileset: the subset the generated flake uses ----
  # Upstream's interface (lib/fileset/default.nix): a file set holds FILES; paths given to
  # unions/difference/toSource must exist (`maybeMissing` turns a missing one into the empty
  # set); `toSource { root, fileset }` copies those files to the store, keeping root's layout.
  # Here a file set is a predicate `has` on absolute path strings (a folder stands for every
  # file under it) plus the `roots` it was built from. Known difference: upstream leaves out
  # folders that end up empty; here a folder the set still covers stays, even if emptied
  # (`.cargo` minus its config.toml). No generated build reads an empty folder.
  fileset =
    let
      isFileset = x: b.isAttrs x && (x._type or null) == "fileset";
      ofPath = p:
        let s = toString p; in
        { _type = "fileset"; roots = [ s ]; has = q: q == s || hasPrefix (s + "/") q; };
      coerce = what: x:
        if isFileset x then x
        else if b.isPath x then
          (if b.pathExists x then ofPath x
           else throw "lib.fileset.${what}: Argument (${toString x}) is a path that does not exist. To create a file set from a path that may not exist, use `lib.fileset.maybeMissing`.")
        else throw "lib.fileset.${what}: Argument is of type ${b.typeOf x}, but it should be a file set or a path instead.";
      empty = { _type = "fileset"; roots = [ ]; has = _: false; };
      unions = xs:
        let sets = map (coerce "unions") xs; in
        { _type = "fileset"; roots = b.concatMap (f: f.roots) sets; has = q: b.any (f: f.has q) sets; };
    in
    {
      maybeMissing = p: if b.pathExists p then ofPath p else empty;
      inherit unions;
      union = x: y: unions [ x y ];
      difference = x: y:
        let keep = coerce "difference" x; drop = coerce "difference" y; in
        { _type = "fileset"; inherit (keep) roots; has = q: keep.has q && !(drop.has q); };
      toSource = { root, fileset }:
        let set = coerce "toSource" fileset; in
        b.path {
          path = root;
          name = "source";
          # A folder is entered when the set covers it or holds something below it.
          filter = path: type:
            set.has path
            || (type == "directory" && b.any (r: hasPrefix (toString path + "/") r) set.roots);
        };
    };

  # callPackage-like overriding on results (enough for `.override`).
  makeOverridable = f: args:
    let r = f args; in
    if b.isAttrs r then r // { override = newArgs: makeOverridable f (args // (if b.isFunction newArgs then newArgs args else newArgs)); }
    else r;

  # Platforms known to nixpkgs as systems of the flake's hosts.
  platforms = {
    linux = [ "x86_64-linux" "aarch64-linux" "i686-linux" "armv7l-linux" "riscv64-linux" ];
    darwin = [ "x86_64-darwin" "aarch64-darwin" ];
    all = platforms.linux ++ platforms.darwin;
    unix = platforms.all;
  };
in
{
  inherit (b)
    attrNames attrValues catAttrs concatLists concatMap elem elemAt filter foldl' genList head tail length
    hasAttr isAttrs isBool isInt isList isString isPath listToAttrs mapAttrs removeAttrs replaceStrings
    sort substring stringLength toJSON fromJSON toString typeOf match split trace seq deepSeq
    all any partition groupBy intersectAttrs functionArgs readFile pathExists readDir baseNameOf dirOf;
  inherit id const flip pipe nameValuePair genAttrs mapAttrs' mapAttrsToList filterAttrs concatMapAttrs
    optionalAttrs attrByPath hasAttrByPath getAttrFromPath attrVals recursiveUpdate zipAttrsWith collect
    isDerivation optional optionals flatten unique foldl foldr range last take drop count findFirst
    intersectLists subtractLists toList imap0 imap1 reverseList naturalSort concatStringsSep concatStrings
    concatMapStringsSep concatMapStrings concatLines optionalString hasPrefix hasSuffix hasInfix removePrefix
    removeSuffix toUpper toLower stringToCharacters escapeRegex splitString escapeShellArg escapeShellArgs
    strings versionOlder versionAtLeast isFunction warn assertMsg throwIf importJSON importTOML getExe getExe'
    makeBinPath cleanSourceFilter cleanSourceWith cleanSource makeOverridable platforms fileset;
  attrsets = { inherit genAttrs mapAttrs' mapAttrsToList filterAttrs nameValuePair optionalAttrs recursiveUpdate collect isDerivation; };
  lists = { inherit optional optionals flatten unique foldl foldr range last take drop findFirst intersectLists subtractLists; };
  trivial = { inherit id const flip pipe warn; };
  # Marker so tests can tell they run against the stub.
  crossflakeStub = true;
}
