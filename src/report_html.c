/*
 * report_html.c: report --format html: one self-contained page (inline
 * style, inline SVG chart, no script, no external style, font or image),
 * English or Chinese (--lang), that renders with no network.  The content
 * is the markdown digest's: summary, a table per repository of its landed
 * commits (an empty repository says so), then the pull-request activity.
 *
 * Every string from a mirror goes through esc_html (text and attribute
 * values alike), and the page carries a Content-Security-Policy that
 * forbids scripts and every fetch, so even a mistake in escaping could not
 * run code or call out.
 */
#include "config.h"
#include "report.h"
#include "buf.h"
#include "date.h"
#include "esc.h"

#include <stdlib.h>
#include <string.h>

#define L(r, en, zh) ((r)->lang == REPORT_ZH ? (zh) : (en))

#define FILES_SHOWN 10
#define SUBJECT_MAX 300
#define SNIPPET_MAX 160
#define CHART_TAGS 15
/* A window longer than this is charted per tag, not per day. */
#define CHART_MAX_DAYS 366
#define DAY 86400

static void h(struct buf *b, const char *s)
{
	esc_html(b, s, strlen(s));
}

static const char style[] =
"body{font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",sans-serif;"
"color:#1f2328;background:#fff;max-width:1280px;margin:1.5em auto;"
"padding:0 1em}\n"
"h4,.subject,code{overflow-wrap:anywhere}\n"
".nw{white-space:nowrap}\n"
"h1{font-size:1.6em}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;"
"margin-top:1.6em}h3{margin-bottom:.3em}\n"
"table{border-collapse:collapse;width:100%;margin:.3em 0 1.2em}\n"
"th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:left;"
"vertical-align:top}\n"
"th{background:#f6f8fa;font-weight:600}\n"
"code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
"background:#f6f8fa;border-radius:3px;padding:0 3px;white-space:pre-wrap;"
"overflow-wrap:anywhere}\n"
"td ul{margin:0;padding-left:1.1em}\n"
".tag{display:inline-block;background:#ddf4ff;color:#0a3069;"
"border-radius:10px;padding:0 7px;margin:1px 2px;font-size:12px}\n"
".none{color:#656d76;font-style:italic}\n"
".meta{color:#656d76}\n"

"figure{margin:1em 0}svg{max-width:100%;height:auto}\n"
"figcaption{color:#656d76;font-size:12px}\n";

static void html_time(struct buf *b, int64_t t)
{
	date_format_short(b, t);
}

static void html_subject(struct buf *b, const struct report *r,
			 const char *subject)
{
	const char *s;
	size_t len;
	int cut;

	report_snippet(subject, SUBJECT_MAX, &s, &len, &cut);
	if (!len) {
		buf_addf(b, "<span class=\"none\">%s</span>",
			 L(r, "(no subject)", "（无标题）"));
		return;
	}
	esc_html(b, s, len);
	if (cut)
		buf_addstr(b, "\xe2\x80\xa6");
}

static void html_code(struct buf *b, const char *s, size_t len)
{
	buf_addstr(b, "<code>");
	esc_html(b, s, len);
	buf_addstr(b, "</code>");
}

static void html_tag(struct buf *b, const char *tag)
{
	buf_addstr(b, "<span class=\"tag\">");
	h(b, tag);
	buf_addstr(b, "</span>");
}

static void html_file(struct buf *b, const struct report *r,
		      const struct file_change *f)
{
	buf_addstr(b, "<li>");
	if (f->old_path) {
		html_code(b, f->old_path, strlen(f->old_path));
		buf_addstr(b, " \xe2\x86\x92 ");
	}
	html_code(b, f->path, strlen(f->path));
	report_file_notes(b, r, f, "\xe2\x88\x92");	/* minus sign */
	buf_addstr(b, "</li>");
}

static void html_files(struct buf *b, const struct report *r,
		       const struct commit *c)
{
	size_t idx[FILES_SHOWN], n, i;
	uint64_t added, removed;

	if (!c->nfiles_total) {
		buf_addstr(b, "<span class=\"none\">");
		buf_addstr(b, c->flags & COMMIT_DIFFED ?
			   L(r, "no file changes", "无文件变更") :
			   L(r, "merge, diff not scanned", "合并提交，未扫描差异"));
		buf_addstr(b, "</span>");
		return;
	}
	report_line_counts(c, &added, &removed);
	buf_addf(b, r->lang == REPORT_ZH ? "%u 个文件，+%llu \xe2\x88\x92%llu" :
		 c->nfiles_total == 1 ? "%u file, +%llu \xe2\x88\x92%llu" :
		 "%u files, +%llu \xe2\x88\x92%llu", c->nfiles_total,
		 (unsigned long long)added, (unsigned long long)removed);
	n = report_files_shown(c, FILES_SHOWN, idx);
	buf_addstr(b, "<ul>");
	for (i = 0; i < n; i++)
		html_file(b, r, &c->files[idx[i]]);
	if (c->nfiles_total > n)
		buf_addf(b, r->lang == REPORT_ZH ? "<li>……另有 %zu 个文件</li>" :
			 "<li>\xe2\x80\xa6 and %zu more files</li>",
			 (size_t)c->nfiles_total - n);
	buf_addstr(b, "</ul>");
}

static void html_snippet(struct buf *b, const char *text)
{
	const char *s;
	size_t len;
	int cut;

	report_snippet(text, SNIPPET_MAX, &s, &len, &cut);
	buf_addstr(b, ": <code>");
	esc_html(b, s, len);
	buf_addstr(b, cut ? "\xe2\x80\xa6</code>" : "</code>");
}

static void html_evidence(struct buf *b, const struct report *r,
			  const struct commit *c)
{
	const struct match **ev = xcalloc(c->ntags + 1, sizeof(*ev));
	struct buf place = BUF_INIT;
	uint32_t t, k;

	report_evidence(c, ev);
	buf_addstr(b, "<ul>");
	for (t = 0; t < c->ntags; t++) {
		const struct match *m = ev[t];

		for (k = 0; k < t && !report_same_evidence(ev[k], m); k++)
			;
		if (k < t)
			continue;
		buf_addstr(b, "<li>");
		for (k = t; k < c->ntags; k++)
			if (report_same_evidence(ev[k], m))
				html_tag(b, c->tags[k]);
		if (!m) {
			buf_addstr(b, "</li>");
			continue;
		}
		buf_addstr(b, " ");
		switch (m->side) {
		case RULE_SIDE_ADDED:
		case RULE_SIDE_REMOVED:
			buf_reset(&place);
			buf_addf(&place, "%s:%u", m->path ? m->path : "",
				 m->line);
			html_code(b, place.ptr, place.len);
			if (m->side == RULE_SIDE_REMOVED)
				buf_addstr(b, L(r, " (removed line)",
						"（删除的行）"));
			html_snippet(b, m->text);
			break;
		case RULE_SIDE_MESSAGE:
			buf_addf(b, r->lang == REPORT_ZH ? "提交说明第 %u 行" :
				 "message line %u", m->line);
			html_snippet(b, m->text);
			break;
		default:
			buf_addstr(b, L(r, "path ", "路径 "));
			html_code(b, m->path ? m->path : m->text,
				  strlen(m->path ? m->path : m->text));
			break;
		}
		buf_addstr(b, "</li>");
	}
	buf_addstr(b, "</ul>");
	buf_release(&place);
	free(ev);
}

static void html_row(struct buf *b, const struct report *r,
		     const struct commit *c, int with_pr)
{
	char hex[OID_HEXSZ + 1];

	report_hex(hex, c->oid);
	buf_addf(b, "<tr><td class=\"nw\"><code title=\"%s\">%.7s</code>"
		 "</td><td class=\"nw\">", hex, hex);
	html_time(b, c->time);
	buf_addstr(b, "</td><td>");
	h(b, c->author);
	buf_addstr(b, "</td><td class=\"subject\">");
	html_subject(b, r, c->subject);
	if (c->flags & COMMIT_PARTIAL)
		buf_addf(b, " <span class=\"none\">%s</span>",
			 L(r, "(partly unreadable)", "（部分对象无法读取）"));
	buf_addstr(b, "</td>");
	if (with_pr) {
		if (c->pr)
			buf_addf(b, "<td class=\"nw\">#%u</td>", c->pr);
		else
			buf_addstr(b, "<td></td>");
	}
	buf_addstr(b, "<td>");
	html_files(b, r, c);
	buf_addstr(b, "</td><td>");
	if (c->ntags)
		html_evidence(b, r, c);
	buf_addstr(b, "</td></tr>\n");
}

static void html_table_head(struct buf *b, const struct report *r,
			    int with_pr)
{
	buf_addstr(b, "<table><thead><tr>");
	buf_addf(b, "<th>%s</th><th>%s</th><th>%s</th><th>%s</th>",
		 L(r, "Commit", "提交"), L(r, "Time (UTC)", "时间（UTC）"),
		 L(r, "Author", "作者"), L(r, "Subject", "标题"));
	if (with_pr)
		buf_addstr(b, "<th>PR</th>");
	buf_addf(b, "<th>%s</th><th>%s</th></tr></thead><tbody>\n",
		 L(r, "Files", "文件"), L(r, "Tags and evidence", "标签与依据"));
}

/* ---- the chart ----------------------------------------------------- */

struct bar {
	const char *label;	/* a tag, or NULL for a day */
	int64_t day;
	size_t landed, proposed;
};

static void chart_bars(struct buf *b, const struct report *r,
		       const struct bar *bars, size_t n, int per_day)
{
	size_t max = 1, i;
	int width = 760, height, label_w = per_day ? 0 : 200;
	double scale;

	for (i = 0; i < n; i++)
		if (bars[i].landed + bars[i].proposed > max)
			max = bars[i].landed + bars[i].proposed;
	if (per_day) {
		double bw = n ? (double)(width - 40) / (double)n : 1;
		int plot = 160;

		height = plot + 50;
		scale = (double)plot / (double)max;
		buf_addf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
			 "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
			 "role=\"img\" aria-label=\"%s\">\n", width, height,
			 width, height, L(r, "Tagged commits per day",
					  "每日带标签的提交"));
		buf_addf(b, "<text x=\"0\" y=\"12\" font-size=\"11\" "
			 "fill=\"#656d76\">%zu</text>\n<line x1=\"30\" "
			 "y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#d0d7de\"/>\n",
			 max, 10 + plot, width - 10, 10 + plot);
		for (i = 0; i < n; i++) {
			double x = 30 + bw * (double)i;
			double hl = scale * (double)bars[i].landed;
			double hp = scale * (double)bars[i].proposed;
			struct buf day = BUF_INIT;

			date_format_day(&day, bars[i].day);
			buf_addf(b, "<g><title>%s: %zu %s, %zu %s</title>",
				 day.ptr, bars[i].landed,
				 L(r, "landed", "已合入"), bars[i].proposed,
				 L(r, "in pull requests", "拉取请求中"));
			buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				 "height=\"%.1f\" fill=\"#0969da\"/>",
				 x, 10 + plot - hl, bw * 0.8, hl);
			buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				 "height=\"%.1f\" fill=\"#8cc4ff\"/></g>\n",
				 x, 10 + plot - hl - hp, bw * 0.8, hp);
			if (n <= 14 || i == 0 || i + 1 == n ||
			    i % (n / 7) == 0)
				buf_addf(b, "<text x=\"%.1f\" y=\"%d\" "
					 "font-size=\"10\" fill=\"#656d76\">%s"
					 "</text>\n", x, plot + 24,
					 day.ptr + 5);
			buf_release(&day);
		}
	} else {
		int row = 22;

		height = (int)n * row + 30;
		scale = (double)(width - label_w - 60) / (double)max;
		buf_addf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
			 "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
			 "role=\"img\" aria-label=\"%s\">\n", width, height,
			 width, height, L(r, "Tagged commits per tag",
					  "各标签的提交数"));
		for (i = 0; i < n; i++) {
			double wl = scale * (double)bars[i].landed;
			double wp = scale * (double)bars[i].proposed;
			int y = (int)i * row;

			buf_addstr(b, "<g><title>");
			h(b, bars[i].label);
			buf_addf(b, ": %zu %s, %zu %s</title>", bars[i].landed,
				 L(r, "landed", "已合入"), bars[i].proposed,
				 L(r, "in pull requests", "拉取请求中"));
			buf_addf(b, "<text x=\"%d\" y=\"%d\" font-size=\"12\" "
				 "text-anchor=\"end\" fill=\"#1f2328\">",
				 label_w - 6, y + 15);
			h(b, bars[i].label);
			buf_addf(b, "</text><rect x=\"%d\" y=\"%d\" "
				 "width=\"%.1f\" height=\"16\" fill=\"#0969da\"/>"
				 "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
				 "height=\"16\" fill=\"#8cc4ff\"/>", label_w,
				 y + 3, wl, label_w + wl, y + 3, wp);
			buf_addf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" "
				 "fill=\"#656d76\">%zu</text></g>\n",
				 label_w + wl + wp + 4, y + 15,
				 bars[i].landed + bars[i].proposed);
		}
	}
	/* legend */
	buf_addf(b, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" "
		 "fill=\"#0969da\"/><text x=\"%d\" y=\"%d\" font-size=\"11\">"
		 "%s</text><rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" "
		 "fill=\"#8cc4ff\"/><text x=\"%d\" y=\"%d\" font-size=\"11\">"
		 "%s</text>\n</svg>\n", label_w, height - 14, label_w + 14,
		 height - 5, L(r, "landed", "已合入"), label_w + 90,
		 height - 14, label_w + 104, height - 5,
		 L(r, "in pull requests", "拉取请求中"));
}

static void html_chart(struct buf *b, const struct report *r)
{
	int64_t days = (r->until - r->since + DAY - 1) / DAY;
	int per_day = days > 1 && days <= CHART_MAX_DAYS;
	struct bar *bars;
	size_t n = 0, i, k;

	buf_addstr(b, "<figure>\n");
	if (per_day) {
		int64_t first = date_day_start(r->since);

		days = (date_day_start(r->until - 1) - first) / DAY + 1;
		bars = xcalloc((size_t)days, sizeof(*bars));
		n = (size_t)days;
		for (i = 0; i < n; i++)
			bars[i].day = first + (int64_t)i * DAY;
		for (i = 0; i < r->nrepos; i++)
			for (k = 0; k < r->repos[i].ncommits; k++) {
				const struct commit *c = &r->repos[i].commits[k];
				size_t d;

				if (!c->ntags)
					continue;
				d = (size_t)((date_day_start(c->time) - first) /
					     DAY);
				if (d >= n)
					continue;
				if (c->flags & COMMIT_LANDED)
					bars[d].landed++;
				else
					bars[d].proposed++;
			}
	} else {
		bars = xcalloc(r->ntags + 1, sizeof(*bars));
		/* r->tags is by landed count, then proposed */
		for (i = 0; i < r->ntags && n < CHART_TAGS; i++) {
			bars[n].label = r->tags[i].tag;
			bars[n].landed = r->tags[i].landed;
			bars[n].proposed = r->tags[i].proposed;
			n++;
		}
	}
	if (!per_day && !n)
		buf_addf(b, "<p class=\"none\">%s</p>\n",
			 L(r, "No tagged commits in this period.",
			   "本期无带标签的提交。"));
	else
		chart_bars(b, r, bars, n, per_day);
	buf_addf(b, "<figcaption>%s</figcaption>\n</figure>\n", per_day ?
		 L(r, "Tagged commits per day (UTC).", "每日带标签的提交（UTC）。") :
		 L(r, "Commits per tag (most frequent first).",
		   "各标签的提交数（按数量排序）。"));
	free(bars);
}

/* ---- the page ------------------------------------------------------ */

static void html_head(struct buf *b, const struct report *r)
{
	buf_addf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
		 "<meta charset=\"utf-8\">\n"
		 "<meta http-equiv=\"Content-Security-Policy\" content=\""
		 "default-src 'none'; style-src 'unsafe-inline'; "
		 "img-src data:\">\n"
		 "<meta name=\"viewport\" content=\"width=device-width, "
		 "initial-scale=1\">\n"
		 "<meta name=\"generator\" content=\"mirrorscan "
		 PACKAGE_VERSION "\">\n<title>",
		 r->lang == REPORT_ZH ? "zh" : "en");
	buf_addstr(b, L(r, "Repository digest: ", "仓库动态摘要："));
	report_window(b, r);
	buf_addf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n",
		 style);
	buf_addstr(b, L(r, "<h1>Repository digest: ", "<h1>仓库动态摘要："));
	report_window(b, r);
	buf_addstr(b, "</h1>\n<p class=\"meta\">");
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
		size_t i;

		buf_addstr(b, L(r, " Only commits tagged ", "仅列出带有以下任一"
				"标签的提交："));
		for (i = 0; i < r->nfilter_tags; i++)
			html_tag(b, r->filter_tags[i]);
		buf_addstr(b, L(r, ".", "。"));
	}
	buf_addstr(b, "</p>\n");
}

static void html_summary(struct buf *b, const struct report *r)
{
	size_t i;

	buf_addf(b, "<h2>%s</h2>\n<ul>\n", L(r, "Summary", "摘要"));
	buf_addf(b, r->lang == REPORT_ZH ? "<li>有合入提交的仓库：%zu / %zu</li>\n"
		 : "<li>Repositories with landed commits: %zu of %zu</li>\n",
		 r->nchanged, r->nrepos);
	buf_addf(b, r->lang == REPORT_ZH ?
		 "<li>已合入提交：%zu 个，其中 %zu 个带标签</li>\n" :
		 "<li>Landed commits: %zu, %zu of them tagged</li>\n",
		 r->nlanded, r->ntagged);
	if (r->lang == REPORT_ZH)
		buf_addf(b, "<li>拉取请求动态：%zu 个拉取请求的 %zu 个未合入提交"
			 "</li>\n", r->nprs, r->nproposed);
	else
		buf_addf(b, "<li>Pull request activity: %zu proposed commit%s "
			 "in %zu pull request%s</li>\n", r->nproposed,
			 r->nproposed == 1 ? "" : "s", r->nprs,
			 r->nprs == 1 ? "" : "s");
	for (i = 0; i < r->nrepos; i++) {
		const struct report_repo *rr = &r->repos[i];

		if (!rr->ncommits)
			continue;
		buf_addf(b, "<li><a href=\"#repo-%zu\">", i);
		h(b, rr->name);
		buf_addf(b, r->lang == REPORT_ZH ?
			 "</a>：%zu 个已合入提交，%zu 个未合入提交</li>\n" :
			 "</a>: %zu landed, %zu proposed</li>\n", rr->nlanded,
			 rr->nproposed);
	}
	buf_addstr(b, "</ul>\n");
	html_chart(b, r);
}

static void html_prs(struct buf *b, const struct report *r,
		     const struct report_repo *rr)
{
	size_t i, k;
	char hex[OID_HEXSZ + 1];

	buf_addstr(b, "<h3>");
	h(b, rr->name);
	buf_addstr(b, "</h3>\n");
	for (i = 0; i < rr->nprs; i++) {
		const struct report_pr *pr = &rr->prs[i];

		buf_addstr(b, "<h4>");
		report_pr_heading(b, r, pr, html_subject);
		if (pr->landed_by) {
			report_hex(hex, pr->landed_by->oid);
			buf_addf(b, r->lang == REPORT_ZH ?
				 " \xc2\xb7 本期已由 <code>%.7s</code> 合入" :
				 " \xc2\xb7 landed in this period as "
				 "<code>%.7s</code>", hex);
		}
		buf_addstr(b, "</h4>\n");
		html_table_head(b, r, 0);
		for (k = 0; k < pr->ncommits; k++)
			html_row(b, r, pr->commits[k], 0);
		buf_addstr(b, "</tbody></table>\n");
	}
}

static int html_write(const struct report *r, FILE *out)
{
	struct buf b = BUF_INIT;
	size_t i, k;
	int ret = 0;

	html_head(&b, r);
	html_summary(&b, r);
	buf_addf(&b, "<h2>%s</h2>\n", L(r, "Landed commits", "已合入提交"));
	if (!r->nrepos)
		buf_addf(&b, "<p class=\"none\">%s</p>\n",
			 L(r, "The index holds no repository.",
			   "索引中没有仓库。"));
	for (i = 0; i < r->nrepos && !ret; i++) {
		const struct report_repo *rr = &r->repos[i];

		buf_addf(&b, "<section id=\"repo-%zu\">\n<h3>", i);
		h(&b, rr->name);
		buf_addstr(&b, "</h3>\n");
		if (!rr->nlanded && rr->nproposed) {
			buf_addf(&b, "<p class=\"none\">%s</p>\n",
				 L(r, "No landed commits; see the pull "
				   "request activity.",
				   "无已合入提交，见拉取请求动态。"));
		} else if (!rr->nlanded) {
			buf_addf(&b, "<p class=\"none\">%s</p>\n",
				 L(r, "No updates.", "无更新。"));
		} else {
			html_table_head(&b, r, 1);
			for (k = 0; k < rr->nlanded; k++)
				html_row(&b, r, rr->landed[k], 1);
			buf_addstr(&b, "</tbody></table>\n");
		}
		buf_addstr(&b, "</section>\n");
		ret = report_flush(&b, out);
	}
	buf_addf(&b, "<h2>%s</h2>\n", L(r, "Pull request activity",
					 "拉取请求动态"));
	if (!r->nproposed)
		buf_addf(&b, "<p class=\"none\">%s</p>\n",
			 L(r, "No pull request activity in this period.",
			   "本期无拉取请求动态。"));
	for (i = 0; i < r->nrepos && !ret; i++) {
		if (!r->repos[i].nproposed)
			continue;
		html_prs(&b, r, &r->repos[i]);
		ret = report_flush(&b, out);
	}
	buf_addstr(&b, "</body>\n</html>\n");
	if (!ret)
		ret = report_flush(&b, out);
	buf_release(&b);
	return ret;
}

const struct report_format report_html = { "html", 0, html_write };
