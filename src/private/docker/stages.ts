/**
 * The named stages of a Dockerfile that a build of its target needs: what the inline-cache build
 * (no buildx, `cache.ts`) builds and keeps a cache image of, instead of every stage of the file
 * (`docker build --target X` with BuildKit skips the stages X does not need).
 *
 * A generated POSIX awk program (gawk, mawk, busybox) reads the Dockerfile as Docker's parser does
 * (https://docs.docker.com/reference/dockerfile/#format) and follows the references that make a
 * stage need another (https://docs.docker.com/build/building/multi-stage/), each to an earlier stage:
 * - `FROM <stage>`: the name of an earlier stage, case-insensitive (#from);
 * - `COPY --from=<stage>`: a stage name or its 0-based index (#copy---from); `ADD --from=` alike
 *   (Docker's ADD has no such flag: its build fails with Docker's error either way);
 * - `RUN --mount=...,from=<stage>`: the `from` option of a mount other than tmpfs (#run---mount).
 * Anything else (an image such as `golang:1.22`, `scratch`) is not a stage. Build arguments are not
 * expanded (`FROM ${BASE}` is an image): a stage reached only through one is built as part of the
 * target, without a cache image of its own.
 *
 * Parsing: comment lines are skipped (parser directives too: they are comments), also between
 * continuation lines; a line that ends with `\` continues on the next (empty continuation lines are
 * skipped); the bodies of here-documents (`RUN <<EOF`, `COPY <<-"EOF"`) are skipped; instructions
 * are case-insensitive; a UTF-8 BOM and CRLF line ends are accepted. Not followed: the `# escape=`
 * directive (Windows Dockerfiles), ONBUILD triggers.
 *
 * The program holds no single quote (it is a single-quoted shell word; `stages.test.ts` checks) and
 * is kept short: it is part of every buildspec, which CodeBuild limits to 25,600 characters.
 */
/** The awk program: prints the needed named stages, one a line. */
export const NEEDED_STAGES_PROGRAM = [
  // (e is never set: the empty string.) uq: a flag value without its quotes. r: stage n-1 needs the
  // earlier stage x (a name or an index).
  String.raw`function uq(s){gsub("[\"\047]",e,s);return s}`,
  String.raw`function r(x){x=tolower(x);if(x~/^[0-9]+$/)dp[n-1]=dp[n-1]" "x+0;else if(x in id)dp[n-1]=dp[n-1]" "id[x]}`,
  // f: one instruction. FROM starts stage n (dp: the stages it needs; its base is one if an earlier
  // stage has that name); COPY/ADD --from= and RUN --mount from= (not tmpfs) name another; words
  // "<<[-]NAME" of RUN/COPY/ADD open here-documents (hn: terminators, hc: tabs stripped).
  String.raw`function f(s,w,m,i,k,j,q,a,o,y,z){m=split(s,w,/[ \t]+/);k=tolower(w[1])`,
  String.raw`if(k=="from"){for(i=2;w[i]~/^--/;i++);o=tolower(w[i]);if(o in id)dp[n]=dp[n]" "id[o]`,
  String.raw`if(tolower(w[i+1])=="as"){nm[n]=w[i+2];id[tolower(w[i+2])]=n}n++;return}`,
  String.raw`if(!n)return`,
  String.raw`for(i=2;w[i]~/^--/;i++){o=tolower(w[i]);if(k~/^(copy|add)$/&&o~/^--from=/)r(uq(substr(w[i],8)))`,
  String.raw`if(k=="run"&&o~/^--mount=/){q=split(uq(substr(w[i],9)),a,",");y=z=e;for(j=1;j<=q;j++){o=tolower(a[j])`,
  String.raw`if(o~/^from=/)y=substr(a[j],6);if(o=="type=tmpfs")z=1}if(y!=e&&!z)r(y)}}`,
  String.raw`if(k~/^(run|copy|add)$/)for(i=2;i<=m;i++)if(w[i]~/^[0-9]*<<[^<]*$/){o=w[i]`,
  String.raw`sub(/^[0-9]*<</,e,o);y=o~/^-/;sub(/^-/,e,o);o=uq(o);if(o!=e){hn[++h]=o;hc[h]=y}}}`,
  // hi: the open here-document; c: inside a continued instruction l. (Parser directives are comments.)
  String.raw`BEGIN{hi=1;n=0;t=tolower(ENVIRON["TARGET"])}`,
  String.raw`{x=$0;sub(/\r$/,e,x)}`,
  String.raw`hi<=h{if(hc[hi])sub(/^\t+/,e,x);if(x==hn[hi])hi++;next}`,
  String.raw`{if(NR==1)sub(/^\357\273\277/,e,x);y=x;sub(/^[ \t]+/,e,y)}`,
  String.raw`y~/^#/||c&&y==e{next}`,
  String.raw`{l=c?l x:y;c=match(l,/\\[ \t]*$/);if(c){l=substr(l,1,RSTART-1);next}if(l!=e)f(l)}`,
  // The target (by name, else the last stage), the stages it needs, transitively; then the named
  // ones (each the stage its name designates), in Dockerfile order, without the target, at most max.
  String.raw`END{if(c&&l!=e)f(l);if(!n)exit;g=n-1`,
  String.raw`if(t!=e){if(!(t in id)){print "No stage " ENVIRON["TARGET"] " in the Dockerfile" >"/dev/stderr";exit}g=id[t]}`,
  String.raw`u[g]=1;z[1]=g;q=1;while(q){s=z[q--];m=split(dp[s],a," ");for(j=1;j<=m;j++)if(!(a[j] in u)){u[a[j]]=1;z[++q]=a[j]}}`,
  String.raw`for(s=0;s<n;s++){o=tolower(nm[s]);if(s!=g&&(s in u)&&o!=e&&id[o]==s){`,
  String.raw`if(++k>max){print "Only the first " max " named stages get a cache image" >"/dev/stderr";exit}print nm[s]}}}`,
].join('\n');

/** What `neededStagesLines` needs. */
export interface NeededStagesInput {
  /** Shell word of the Dockerfile path (relative to the source root). */
  readonly dockerfileWord: string;
  /** Shell word of the target stage, if any (else the last stage of the Dockerfile). */
  readonly targetWord?: string;
  /** At most this many stages are listed: the first ones of the Dockerfile. */
  readonly maxStages: number;
  /** The bash array the lines fill (declared by the caller). */
  readonly arrayName: string;
  /** Prefix of every line (the program itself is not indented). */
  readonly indent: string;
}

/**
 * Bash lines that fill the array `arrayName` with the named stages the target (or the last stage)
 * needs, in Dockerfile order, without the target itself, at most `maxStages` (then a line on stderr says so).
 * A Dockerfile that cannot be read, or a target it does not name, gives an empty array and a line
 * on stderr: the build that follows fails with docker's own error.
 */
export function neededStagesLines(input: NeededStagesInput): string[] {
  return [
    `${input.indent}mapfile -t ${input.arrayName} < <(TARGET=${input.targetWord ?? "''"} LC_ALL=C awk -v max=${input.maxStages} '`,
    `${NEEDED_STAGES_PROGRAM}' < ${input.dockerfileWord})`,
  ];
}
