/*
 * report_md.c: the markdown digest, the default format of report, in
 * English or Chinese (--lang).  Modelled on a hand-made daily digest of
 * AI-infrastructure repositories: a title with the date, a summary, then
 * every repository with its landed commits (an empty one says so), then
 * the pull-request activity apart.
 *
 * Markdown has no escaping that is safe everywhere, so the layout keeps
 * untrusted text where esc.h can make it safe: headings, list items and
 * bold text (esc_md) and inline code (esc_md_code), never tables, where a
 * | in inline code would end the cell.
 */
#include "config.h"
#include "report.h"
#include "buf.h"
#include "date.h"
#include "esc.h"

#include <stdlib.h>
#include <string.h>

/* The English or the Chinese of a fixed string. */
#define L(r, en, zh) ((r)->lang == REPORT_ZH ? (zh) : (en))

/* Files listed per commit before the rest are counted (tagged first). */
#define FILES_SHOWN 10
/* Subjects and matched lines are cut here: a digest is read, not
 * grepped, and the JSON export keeps them whole. */
#define SUBJECT_MAX 300
#define SNIPPET_MAX 160
#define TOP_TAGS 8
#define REPO_TAGS 6

static void md_text(struct buf *b, const char *s)
{
	esc_md(b, s, strlen(s));
}

static void md_code(struct buf *b, const char *s)
{
	esc_md_code(b, s, strlen(s));
}

/* A path as inline code.  esc_md_code shows a newline as a space; a path
 * is shown as text output shows it (\n, \xNN), so none is mistaken for
 * another. */
static void md_path(struct buf *b, const char *s)
{
	struct buf t = BUF_INIT;

	esc_text(&t, s, strlen(s));
	esc_md_code(b, t.ptr, t.len);
	buf_release(&t);
}

static void md_time(struct buf *b, int64_t t)
{
	date_format_short(b, t);
	buf_addstr(b, " UTC");
}

static void md_subject(struct buf *b, const struct report *r,
		       const char *subject)
{
	const char *s;
	size_t len;
	int cut;

	report_snippet(subject, SUBJECT_MAX, &s, &len, &cut);
	if (!len) {
		buf_addstr(b, L(r, "(no subject)", "（无标题）"));
		return;
	}
	esc_md(b, s, len);
	if (cut)
		buf_addstr(b, "\xe2\x80\xa6");	/* ellipsis */
}

static void md_file(struct buf *b, const struct report *r,
		    const struct file_change *f)
{
	if (f->old_path) {
		md_path(b, f->old_path);
		buf_addstr(b, " \xe2\x86\x92 ");	/* arrow */
	}
	md_path(b, f->path);
	report_file_notes(b, r, f, "-");
	buf_addch(b, '\n');
}

static void md_files(struct buf *b, const struct report *r,
		     const struct commit *c)
{
	size_t idx[FILES_SHOWN], n, i;
	uint64_t added, removed;

	if (!c->nfiles_total) {
		if (c->flags & COMMIT_DIFFED)
			buf_addstr(b, L(r, "  - No file changes\n",
					"  - 无文件变更\n"));
		return;
	}
	report_line_counts(c, &added, &removed);
	buf_addf(b, r->lang == REPORT_ZH ? "  - 文件（%u 个，+%llu -%llu）：\n"
		 : "  - Files (%u, +%llu -%llu):\n", c->nfiles_total,
		 (unsigned long long)added, (unsigned long long)removed);
	n = report_files_shown(c, FILES_SHOWN, idx);
	for (i = 0; i < n; i++) {
		buf_addstr(b, "    - ");
		md_file(b, r, &c->files[idx[i]]);
	}
	if (c->nfiles_total > n)
		buf_addf(b, r->lang == REPORT_ZH ? "    - ……另有 %zu 个文件\n"
			 : "    - \xe2\x80\xa6 and %zu more files\n",
			 (size_t)c->nfiles_total - n);
}

/* "path:line" as one code span. */
static void md_place(struct buf *b, const struct match *m)
{
	struct buf p = BUF_INIT;

	if (m->path)
		esc_text(&p, m->path, strlen(m->path));
	buf_addf(&p, ":%u", m->line);
	esc_md_code(b, p.ptr, p.len);
	buf_release(&p);
}

static void md_snippet(struct buf *b, const struct report *r,
		       const char *text)
{
	const char *s;
	size_t len;
	int cut;

	report_snippet(text, SNIPPET_MAX, &s, &len, &cut);
	buf_addstr(b, L(r, ": ", "："));
	esc_md_code(b, s, len);
	if (cut)
		buf_addstr(b, "\xe2\x80\xa6");
}

static void md_evidence(struct buf *b, const struct report *r,
			const struct commit *c)
{
	const struct match **ev;
	uint32_t t, k;

	ev = xcalloc(c->ntags + 1, sizeof(*ev));
	report_evidence(c, ev);
	buf_addstr(b, L(r, "  - Evidence:\n", "  - 依据：\n"));
	for (t = 0; t < c->ntags; t++) {
		const struct match *m = ev[t];

		for (k = 0; k < t; k++)
			if (report_same_evidence(ev[k], m))
				break;
		if (k < t)
			continue;	/* printed with an earlier tag */
		buf_addstr(b, "    - ");
		for (k = t; k < c->ntags; k++)
			if (report_same_evidence(ev[k], m)) {
				if (k > t)
					buf_addch(b, ' ');
				md_code(b, c->tags[k]);
			}
		if (!m) {
			buf_addstr(b, L(r, " \xe2\x80\x94 no match recorded\n",
					" \xe2\x80\x94 无匹配记录\n"));
			continue;
		}
		buf_addstr(b, " \xe2\x80\x94 ");	/* em dash */
		switch (m->side) {
		case RULE_SIDE_ADDED:
			md_place(b, m);
			md_snippet(b, r, m->text);
			break;
		case RULE_SIDE_REMOVED:
			md_place(b, m);
			buf_addstr(b, L(r, " (removed line)", "（删除的行）"));
			md_snippet(b, r, m->text);
			break;
		case RULE_SIDE_MESSAGE:
			buf_addf(b, r->lang == REPORT_ZH ? "提交说明第 %u 行"
				 : "message line %u", m->line);
			md_snippet(b, r, m->text);
			break;
		default:
			buf_addstr(b, L(r, "path ", "路径 "));
			md_path(b, m->path ? m->path : m->text);
			break;
		}
		buf_addch(b, '\n');
	}
	free(ev);
}

/* A commit as a list item; in_pr: listed under its pull request, which
 * need not be named again. */
static void md_commit(struct buf *b, const struct report *r,
		      const struct commit *c, int in_pr)
{
	char hex[OID_HEXSZ + 1];
	uint32_t t;

	report_hex(hex, c->oid);
	buf_addf(b, "- **`%.7s`** ", hex);
	md_subject(b, r, c->subject);
	buf_addstr(b, "\n  - ");
	if (c->pr && !in_pr)
		buf_addf(b, "PR #%u \xc2\xb7 ", c->pr);	/* middle dot */
	md_text(b, c->author);
	buf_addstr(b, " \xc2\xb7 ");
	md_time(b, c->time);
	if ((c->flags & COMMIT_MERGE) && !(c->flags & COMMIT_DIFFED))
		buf_addstr(b, L(r, " \xc2\xb7 merge, diff not scanned",
				" \xc2\xb7 合并提交，未扫描差异"));
	if (c->flags & COMMIT_PARTIAL)
		buf_addstr(b, L(r, " \xc2\xb7 partly unreadable",
				" \xc2\xb7 部分对象无法读取"));
	buf_addch(b, '\n');
	md_files(b, r, c);
	if (!c->ntags)
		return;
	buf_addstr(b, L(r, "  - Tags: ", "  - 标签："));
	for (t = 0; t < c->ntags; t++) {
		if (t)
			buf_addstr(b, L(r, ", ", "、"));
		md_code(b, c->tags[t]);
	}
	buf_addch(b, '\n');
	md_evidence(b, r, c);
}

/* ---- summary ------------------------------------------------------- */

static int cmp_by_proposed(const void *a, const void *b)
{
	const struct report_tag *x = a, *y = b;

	if (x->proposed != y->proposed)
		return x->proposed < y->proposed ? 1 : -1;
	return strcmp(x->tag, y->tag);
}

static void md_tag_counts(struct buf *b, const struct report *r,
			  const struct report_tag *v, size_t n, int proposed)
{
	size_t i, shown = 0;

	for (i = 0; i < n && shown < TOP_TAGS; i++) {
		size_t count = proposed ? v[i].proposed : v[i].landed;

		if (!count)
			break;
		if (shown++)
			buf_addstr(b, L(r, ", ", "、"));
		md_code(b, v[i].tag);
		buf_addf(b, r->lang == REPORT_ZH ? "（%zu）" : " (%zu)", count);
	}
}

/* The distinct tags of a repo's landed commits, most frequent first. */
static void md_repo_tags(struct buf *b, const struct report *r,
			 const struct report_repo *rr)
{
	struct report_tag *v = NULL;
	size_t n = 0, alloc = 0, i, k;
	uint32_t t;

	for (i = 0; i < rr->nlanded; i++) {
		const struct commit *c = rr->landed[i];

		for (t = 0; t < c->ntags; t++) {
			for (k = 0; k < n; k++)
				if (!strcmp(v[k].tag, c->tags[t]))
					break;
			if (k == n) {
				ALLOC_GROW(v, n + 1, alloc);
				v[n].tag = c->tags[t];
				v[n].landed = v[n].proposed = 0;
				n++;
			}
			v[k].landed++;
		}
	}
	if (!n)
		return;
	/* the order of report.c: by count, then name */
	for (i = 1; i < n; i++)
		for (k = i; k > 0 && (v[k].landed > v[k - 1].landed ||
				      (v[k].landed == v[k - 1].landed &&
				       strcmp(v[k].tag, v[k - 1].tag) < 0));
		     k--) {
			struct report_tag tmp = v[k];

			v[k] = v[k - 1];
			v[k - 1] = tmp;
		}
	buf_addstr(b, r->lang == REPORT_ZH ? "（" : " (");
	for (i = 0; i < n && i < REPO_TAGS; i++) {
		if (i)
			buf_addstr(b, L(r, ", ", "、"));
		md_code(b, v[i].tag);
	}
	if (n > REPO_TAGS)
		buf_addstr(b, L(r, ", \xe2\x80\xa6", "……"));
	buf_addstr(b, r->lang == REPORT_ZH ? "）" : ")");
	free(v);
}

static void md_summary(struct buf *b, const struct report *r)
{
	size_t i;

	buf_addstr(b, L(r, "## Summary\n\n", "## 摘要\n\n"));
	buf_addf(b, r->lang == REPORT_ZH ? "- 有合入提交的仓库：%zu / %zu\n"
		 : "- Repositories with landed commits: %zu of %zu\n",
		 r->nchanged, r->nrepos);
	buf_addf(b, r->lang == REPORT_ZH ?
		 "- 已合入提交：%zu 个，其中 %zu 个带标签\n" :
		 "- Landed commits: %zu, %zu of them tagged\n",
		 r->nlanded, r->ntagged);
	if (r->lang == REPORT_ZH)
		buf_addf(b, "- 拉取请求动态：%zu 个拉取请求的 %zu 个未合入提交\n",
			 r->nprs, r->nproposed);
	else
		buf_addf(b, "- Pull request activity: %zu proposed commit%s in "
			 "%zu pull request%s\n", r->nproposed,
			 r->nproposed == 1 ? "" : "s", r->nprs,
			 r->nprs == 1 ? "" : "s");
	if (r->ntags && r->tags[0].landed) {
		buf_addstr(b, L(r, "- Top tags: ", "- 主要标签："));
		md_tag_counts(b, r, r->tags, r->ntags, 0);
		buf_addch(b, '\n');
	}
	if (r->nproposed && r->ntags) {
		struct report_tag *v = xcalloc(r->ntags, sizeof(*v));

		memcpy(v, r->tags, r->ntags * sizeof(*v));
		qsort(v, r->ntags, sizeof(*v), cmp_by_proposed);
		if (v[0].proposed) {
			buf_addstr(b, L(r, "- Top tags in pull requests: ",
					"- 拉取请求中的主要标签："));
			md_tag_counts(b, r, v, r->ntags, 1);
			buf_addch(b, '\n');
		}
		free(v);
	}
	if (!r->nlanded && !r->nproposed) {
		buf_addstr(b, L(r, "\nNo repository changed in this period.\n",
				"\n本期所有仓库均无更新。\n"));
		return;
	}
	buf_addch(b, '\n');
	for (i = 0; i < r->nrepos; i++) {
		const struct report_repo *rr = &r->repos[i];

		if (!rr->ncommits)
			continue;
		buf_addstr(b, "- **");
		md_text(b, rr->name);
		buf_addstr(b, L(r, "**: ", "**："));
		if (rr->nlanded) {
			buf_addf(b, r->lang == REPORT_ZH ? "%zu 个已合入提交" :
				 rr->nlanded == 1 ? "%zu landed commit" :
				 "%zu landed commits", rr->nlanded);
			md_repo_tags(b, r, rr);
		} else {
			buf_addstr(b, L(r, "no landed commits", "无已合入提交"));
		}
		if (rr->nproposed) {
			size_t nprs = rr->nprs;

			if (nprs && !rr->prs[nprs - 1].number)
				nprs--;	/* proposed, but of no PR */
			buf_addstr(b, L(r, "; ", "；"));
			if (r->lang == REPORT_ZH)
				buf_addf(b, "%zu 个拉取请求的 %zu 个未合入提交",
					 nprs, rr->nproposed);
			else
				buf_addf(b, "%zu proposed commit%s in %zu pull "
					 "request%s", rr->nproposed,
					 rr->nproposed == 1 ? "" : "s",
					 nprs, nprs == 1 ? "" : "s");
		}
		buf_addch(b, '\n');
	}
}

/* ---- the document -------------------------------------------------- */

static void md_intro(struct buf *b, const struct report *r)
{
	size_t i;

	buf_addstr(b, L(r, "# Repository digest: ", "# 仓库动态摘要："));
	report_window(b, r);
	buf_addstr(b, "\n\n");
	if (r->lang == REPORT_ZH) {
		buf_addf(b, "%zu 个仓库在 ", r->nrepos);
		date_format_iso(b, r->since);
		buf_addstr(b, " 至 ");
		date_format_iso(b, r->until);
		buf_addstr(b, "（UTC，按提交时间，不含终点）的已合入提交与拉取请求"
			   "动态，取自本地索引，由 mirrorscan 于 ");
		date_format_iso(b, r->generated);
		buf_addstr(b, " 生成。");
	} else {
		buf_addf(b, "Landed commits and pull request activity of %zu "
			 "repositor%s from ", r->nrepos,
			 r->nrepos == 1 ? "y" : "ies");
		date_format_iso(b, r->since);
		buf_addstr(b, " to ");
		date_format_iso(b, r->until);
		buf_addstr(b, " (commit time, UTC, end excluded), from the "
			   "local index; generated by mirrorscan at ");
		date_format_iso(b, r->generated);
		buf_addstr(b, ".");
	}
	if (r->nfilter_tags) {
		buf_addstr(b, L(r, " Only commits tagged ", "仅列出带有以下任一标签"
				"的提交："));
		for (i = 0; i < r->nfilter_tags; i++) {
			if (i)
				buf_addstr(b, L(r, " or ", "、"));
			md_code(b, r->filter_tags[i]);
		}
		buf_addstr(b, L(r, ".", "。"));
	}
	buf_addstr(b, "\n\n");
}

static void md_prs(struct buf *b, const struct report *r,
		   const struct report_repo *rr)
{
	size_t i, k;
	char hex[OID_HEXSZ + 1];

	buf_addstr(b, "### ");
	md_text(b, rr->name);
	buf_addstr(b, "\n\n");
	for (i = 0; i < rr->nprs; i++) {
		const struct report_pr *pr = &rr->prs[i];

		buf_addstr(b, "#### ");
		report_pr_heading(b, r, pr, md_subject);
		buf_addstr(b, "\n\n");
		if (pr->landed_by) {
			report_hex(hex, pr->landed_by->oid);
			buf_addf(b, r->lang == REPORT_ZH ?
				 "本期已由 `%.7s` 合入。\n\n" :
				 "Landed in this period as `%.7s`.\n\n", hex);
		}
		for (k = 0; k < pr->ncommits; k++)
			md_commit(b, r, pr->commits[k], 1);
		buf_addch(b, '\n');
	}
}

static int md_write(const struct report *r, FILE *out)
{
	struct buf b = BUF_INIT;
	size_t i, k;
	int ret = 0;

	md_intro(&b, r);
	md_summary(&b, r);
	buf_addstr(&b, L(r, "\n## Landed commits\n", "\n## 已合入提交\n"));
	if (!r->nrepos)
		buf_addstr(&b, L(r, "\nThe index holds no repository.\n",
				 "\n索引中没有仓库。\n"));
	for (i = 0; i < r->nrepos && !ret; i++) {
		const struct report_repo *rr = &r->repos[i];

		buf_addstr(&b, "\n### ");
		md_text(&b, rr->name);
		buf_addstr(&b, "\n\n");
		if (!rr->nlanded)
			buf_addstr(&b, rr->nproposed ?
				   L(r, "No landed commits; see the pull "
				     "request activity.\n",
				     "无已合入提交，见拉取请求动态。\n") :
				   L(r, "No updates.\n", "无更新。\n"));
		for (k = 0; k < rr->nlanded; k++)
			md_commit(&b, r, rr->landed[k], 0);
		ret = report_flush(&b, out);
	}
	buf_addstr(&b, L(r, "\n## Pull request activity\n\n",
			 "\n## 拉取请求动态\n\n"));
	if (!r->nproposed)
		buf_addstr(&b, L(r, "No pull request activity in this "
				 "period.\n", "本期无拉取请求动态。\n"));
	for (i = 0; i < r->nrepos && !ret; i++) {
		if (!r->repos[i].nproposed)
			continue;
		md_prs(&b, r, &r->repos[i]);
		ret = report_flush(&b, out);
	}
	if (!ret)
		ret = report_flush(&b, out);
	buf_release(&b);
	return ret;
}

const struct report_format report_md = { "md", 0, md_write };
