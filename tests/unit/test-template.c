/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "pxf-test"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "pxf-template.h"
#include "pxf-vars.h"
#include "pxf-test-paths.h"

/* Cases written from the semantics of the Mustache spec v1.3 (interpolation,
 * sections, inverted, comments, partials, delimiters); data is GVariant text
 * of an a{sv} whose entries become the top-level variables. pxeforge differs
 * from the spec on purpose in two places, covered by "pxeforge/" cases: no
 * HTML escaping, and an empty string is falsy. */
typedef struct {
	const gchar *name;
	const gchar *data;
	const gchar *tmpl;
	const gchar *partials[7]; /* name, text pairs */
	const gchar *expected;
} SpecCase;

/* clang-format off */
static const SpecCase spec_cases[] = {
	/* interpolation */
	{"interpolation/no-tags", NULL,
	 "Hello from {Mustache}!\n",
	 {NULL}, "Hello from {Mustache}!\n"},
	{"interpolation/basic", "{'subject': <'world'>}",
	 "Hello, {{subject}}!\n",
	 {NULL}, "Hello, world!\n"},
	{"interpolation/no-html-escaping", "{'forbidden': <'& \" < >'>}",
	 "These characters should not be escaped: {{forbidden}}\n",
	 {NULL}, "These characters should not be escaped: & \" < >\n"},
	{"interpolation/triple-mustache", "{'forbidden': <'& \" < >'>}",
	 "[{{{forbidden}}}]",
	 {NULL}, "[& \" < >]"},
	{"interpolation/ampersand", "{'forbidden': <'& \" < >'>}",
	 "[{{&forbidden}}]",
	 {NULL}, "[& \" < >]"},
	{"interpolation/integer", "{'mustache': <85>}",
	 "\"{{mustache}} miles an hour!\"",
	 {NULL}, "\"85 miles an hour!\""},
	{"interpolation/triple-integer", "{'mustache': <85>}",
	 "\"{{{mustache}}} miles\"",
	 {NULL}, "\"85 miles\""},
	{"interpolation/ampersand-integer", "{'mustache': <85>}",
	 "\"{{&mustache}} miles\"",
	 {NULL}, "\"85 miles\""},
	{"interpolation/decimal", "{'power': <1.21>}",
	 "\"{{power}} jiggawatts!\"",
	 {NULL}, "\"1.21 jiggawatts!\""},
	{"interpolation/null", "{'cannot': <@ms nothing>}",
	 "I ({{cannot}}) be seen!",
	 {NULL}, "I () be seen!"},
	{"interpolation/context-miss", NULL, "I ({{cannot}}) be seen!", {NULL}, "I () be seen!"},
	{"interpolation/dotted-basic", "{'person': <{'name': <'Joe'>}>}",
	 "\"{{person.name}}\" == \"{{#person}}{{name}}{{/person}}\"",
	 {NULL}, "\"Joe\" == \"Joe\""},
	{"interpolation/dotted-triple", "{'person': <{'name': <'Joe'>}>}",
	 "\"{{{person.name}}}\" == \"{{&person.name}}\"",
	 {NULL}, "\"Joe\" == \"Joe\""},
	{"interpolation/dotted-arbitrary-depth",
	 "{'a': <{'b': <{'c': <{'d': <{'e': <{'name': <'Phil'>}>}>}>}>}>}",
	 "\"{{a.b.c.d.e.name}}\" == \"Phil\"",
	 {NULL}, "\"Phil\" == \"Phil\""},
	{"interpolation/dotted-broken-chain", "{'a': <@a{sv} {}>}",
	 "\"{{a.b.c}}\" == \"\"",
	 {NULL}, "\"\" == \"\""},
	{"interpolation/dotted-broken-chain-resolution",
	 "{'a': <{'b': <@a{sv} {}>}>, 'c': <{'name': <'Jim'>}>}",
	 "\"{{a.b.c.name}}\" == \"\"",
	 {NULL}, "\"\" == \"\""},
	{"interpolation/dotted-initial-resolution",
	 "{'a': <{'b': <{'c': <{'d': <{'e': <{'name': <'Phil'>}>}>}>}>}>,"
	 " 'b': <{'c': <{'d': <{'e': <{'name': <'Wrong'>}>}>}>}>}",
	 "\"{{#a}}{{b.c.d.e.name}}{{/a}}\" == \"Phil\"",
	 {NULL}, "\"Phil\" == \"Phil\""},
	{"interpolation/dotted-context-precedence",
	 "{'a': <{'b': <@a{sv} {}>}>, 'b': <{'c': <'ERROR'>}>}",
	 "{{#a}}{{b.c}}{{/a}}",
	 {NULL}, ""},
	{"interpolation/implicit-iterator", "{'s': <'world'>}",
	 "{{#s}}Hello, {{.}}!{{/s}}\n",
	 {NULL}, "Hello, world!\n"},
	{"interpolation/surrounding-whitespace", "{'string': <'---'>}",
	 "| {{string}} |",
	 {NULL}, "| --- |"},
	{"interpolation/triple-surrounding-whitespace", "{'string': <'---'>}",
	 "| {{{string}}} |",
	 {NULL}, "| --- |"},
	{"interpolation/standalone", "{'string': <'---'>}", "  {{string}}\n", {NULL}, "  ---\n"},
	{"interpolation/ampersand-standalone", "{'string': <'---'>}",
	 "  {{&string}}\n",
	 {NULL}, "  ---\n"},
	{"interpolation/padding", "{'string': <'---'>}", "|{{ string }}|", {NULL}, "|---|"},
	{"interpolation/triple-padding", "{'string': <'---'>}",
	 "|{{{ string }}}|",
	 {NULL}, "|---|"},
	{"interpolation/ampersand-padding", "{'string': <'---'>}",
	 "|{{& string }}|",
	 {NULL}, "|---|"},

	/* sections */
	{"sections/truthy", "{'boolean': <true>}",
	 "\"{{#boolean}}This should be rendered.{{/boolean}}\"",
	 {NULL}, "\"This should be rendered.\""},
	{"sections/falsey", "{'boolean': <false>}",
	 "\"{{#boolean}}This should not be rendered.{{/boolean}}\"",
	 {NULL}, "\"\""},
	{"sections/null-is-falsey", "{'null': <@ms nothing>}",
	 "\"{{#null}}This should not be rendered.{{/null}}\"",
	 {NULL}, "\"\""},
	{"sections/context", "{'context': <{'name': <'Joe'>}>}",
	 "\"{{#context}}Hi {{name}}.{{/context}}\"",
	 {NULL}, "\"Hi Joe.\""},
	{"sections/parent-contexts",
	 "{'a': <'foo'>, 'b': <'wrong'>, 'sec': <{'b': <'bar'>}>, 'c': <{'d': <'baz'>}>}",
	 "\"{{#sec}}{{a}}, {{b}}, {{c.d}}{{/sec}}\"",
	 {NULL}, "\"foo, bar, baz\""},
	{"sections/variable-test", "{'foo': <'bar'>}",
	 "\"{{#foo}}{{.}} is {{foo}}{{/foo}}\"",
	 {NULL}, "\"bar is bar\""},
	{"sections/list-context",
	 "{'tops': <[<{'tname': <{'upper': <'A'>, 'lower': <'a'>}>, 'middles': <[<{'mname': <'1'>,"
	 " 'bottoms': <[<{'bname': <'x'>}>, <{'bname': <'y'>}>]>}>]>}>]>}",
	 "{{#tops}}{{#middles}}{{tname.lower}}{{mname}}.{{#bottoms}}{{tname.upper}}{{mname}}"
	 "{{bname}}.{{/bottoms}}{{/middles}}{{/tops}}",
	 {NULL}, "a1.A1x.A1y."},
	{"sections/deeply-nested",
	 "{'a': <{'one': <1>}>, 'b': <{'two': <2>}>, 'c': <{'three': <3>, 'd': <{'four': <4>,"
	 " 'five': <5>}>}>}",
	 "{{#a}}\n{{one}}\n{{#b}}\n{{one}}{{two}}{{one}}\n{{#c}}\n{{one}}{{two}}{{three}}{{two}}"
	 "{{one}}\n{{#d}}\n{{one}}{{two}}{{three}}{{four}}{{three}}{{two}}{{one}}\n{{#five}}\n"
	 "{{one}}{{two}}{{three}}{{four}}{{five}}{{four}}{{three}}{{two}}{{one}}\n{{/five}}\n{{/"
	 "d}}\n" "{{/c}}\n{{/b}}\n{{/a}}\n",
	 {NULL}, "1\n121\n12321\n1234321\n123454321\n"},
	{"sections/list", "{'list': <[<{'item': <1>}>, <{'item': <2>}>, <{'item': <3>}>]>}",
	 "\"{{#list}}{{item}}{{/list}}\"",
	 {NULL}, "\"123\""},
	{"sections/empty-list", "{'list': <@av []>}",
	 "\"{{#list}}Yay lists!{{/list}}\"",
	 {NULL}, "\"\""},
	{"sections/doubled", "{'bool': <true>, 'two': <'second'>}",
	 "{{#bool}}\n* first\n{{/bool}}\n* {{two}}\n{{#bool}}\n* third\n{{/bool}}\n",
	 {NULL}, "* first\n* second\n* third\n"},
	{"sections/nested-truthy", "{'bool': <true>}",
	 "| A {{#bool}}B {{#bool}}C{{/bool}} D{{/bool}} E |",
	 {NULL}, "| A B C D E |"},
	{"sections/nested-falsey", "{'bool': <false>}",
	 "| A {{#bool}}B {{#bool}}C{{/bool}} D{{/bool}} E |",
	 {NULL}, "| A  E |"},
	{"sections/context-miss", NULL,
	 "[{{#missing}}Found key 'missing'!{{/missing}}]",
	 {NULL}, "[]"},
	{"sections/implicit-iterator-string", "{'list': <['a', 'b', 'c', 'd', 'e']>}",
	 "\"{{#list}}({{.}}){{/list}}\"",
	 {NULL}, "\"(a)(b)(c)(d)(e)\""},
	{"sections/implicit-iterator-integer", "{'list': <[1, 2, 3, 4, 5]>}",
	 "\"{{#list}}({{.}}){{/list}}\"",
	 {NULL}, "\"(1)(2)(3)(4)(5)\""},
	{"sections/implicit-iterator-decimal", "{'list': <[1.1, 2.2, 3.3, 4.4, 5.5]>}",
	 "\"{{#list}}({{.}}){{/list}}\"",
	 {NULL}, "\"(1.1)(2.2)(3.3)(4.4)(5.5)\""},
	{"sections/implicit-iterator-array", "{'list': <[<[<1>, <2>, <3>]>, <['a', 'b', 'c']>]>}",
	 "\"{{#list}}({{#.}}{{.}}{{/.}}){{/list}}\"",
	 {NULL}, "\"(123)(abc)\""},
	{"sections/dotted-truthy", "{'a': <{'b': <{'c': <true>}>}>}",
	 "\"{{#a.b.c}}Here{{/a.b.c}}\" == \"Here\"",
	 {NULL}, "\"Here\" == \"Here\""},
	{"sections/dotted-falsey", "{'a': <{'b': <{'c': <false>}>}>}",
	 "\"{{#a.b.c}}Here{{/a.b.c}}\" == \"\"",
	 {NULL}, "\"\" == \"\""},
	{"sections/dotted-broken-chain", "{'a': <@a{sv} {}>}",
	 "\"{{#a.b.c}}Here{{/a.b.c}}\" == \"\"",
	 {NULL}, "\"\" == \"\""},
	{"sections/surrounding-whitespace", "{'boolean': <true>}",
	 " | {{#boolean}}\t|\t{{/boolean}} | \n",
	 {NULL}, " | \t|\t | \n"},
	{"sections/internal-whitespace", "{'boolean': <true>}",
	 " | {{#boolean}} {{! Important Whitespace }}\n {{/boolean}} | \n",
	 {NULL}, " |  \n  | \n"},
	{"sections/indented-inline", "{'boolean': <true>}",
	 " {{#boolean}}YES{{/boolean}}\n {{#boolean}}GOOD{{/boolean}}\n",
	 {NULL}, " YES\n GOOD\n"},
	{"sections/standalone-lines", "{'boolean': <true>}",
	 "| This Is\n{{#boolean}}\n|\n{{/boolean}}\n| A Line\n",
	 {NULL}, "| This Is\n|\n| A Line\n"},
	{"sections/indented-standalone-lines", "{'boolean': <true>}",
	 "| This Is\n  {{#boolean}}\n|\n  {{/boolean}}\n| A Line\n",
	 {NULL}, "| This Is\n|\n| A Line\n"},
	{"sections/standalone-line-endings", "{'boolean': <true>}",
	 "|\r\n{{#boolean}}\r\n{{/boolean}}\r\n|",
	 {NULL}, "|\r\n|"},
	{"sections/standalone-without-previous-line", "{'boolean': <true>}",
	 "  {{#boolean}}\n#{{/boolean}}\n/",
	 {NULL}, "#\n/"},
	{"sections/standalone-without-newline", "{'boolean': <true>}",
	 "#{{#boolean}}\n/\n  {{/boolean}}",
	 {NULL}, "#\n/\n"},
	{"sections/padding", "{'boolean': <true>}",
	 "|{{# boolean }}={{/ boolean }}|",
	 {NULL}, "|=|"},

	/* inverted */
	{"inverted/falsey", "{'boolean': <false>}",
	 "\"{{^boolean}}This should be rendered.{{/boolean}}\"",
	 {NULL}, "\"This should be rendered.\""},
	{"inverted/truthy", "{'boolean': <true>}",
	 "\"{{^boolean}}This should not be rendered.{{/boolean}}\"",
	 {NULL}, "\"\""},
	{"inverted/null-is-falsey", "{'null': <@ms nothing>}",
	 "\"{{^null}}This should be rendered.{{/null}}\"",
	 {NULL}, "\"This should be rendered.\""},
	{"inverted/context", "{'context': <{'name': <'Joe'>}>}",
	 "\"{{^context}}Found key 'context'!{{/context}}\"",
	 {NULL}, "\"\""},
	{"inverted/list", "{'list': <[<{'n': <1>}>, <{'n': <2>}>]>}",
	 "\"{{^list}}{{n}}{{/list}}\"",
	 {NULL}, "\"\""},
	{"inverted/empty-list", "{'list': <@av []>}",
	 "\"{{^list}}Yay lists!{{/list}}\"",
	 {NULL}, "\"Yay lists!\""},
	{"inverted/doubled", "{'bool': <false>, 'two': <'second'>}",
	 "{{^bool}}\n* first\n{{/bool}}\n* {{two}}\n{{^bool}}\n* third\n{{/bool}}\n",
	 {NULL}, "* first\n* second\n* third\n"},
	{"inverted/nested-falsey", "{'bool': <false>}",
	 "| A {{^bool}}B {{^bool}}C{{/bool}} D{{/bool}} E |",
	 {NULL}, "| A B C D E |"},
	{"inverted/nested-truthy", "{'bool': <true>}",
	 "| A {{^bool}}B {{^bool}}C{{/bool}} D{{/bool}} E |",
	 {NULL}, "| A  E |"},
	{"inverted/context-miss", NULL,
	 "[{{^missing}}Found key 'missing'!{{/missing}}]",
	 {NULL}, "[Found key 'missing'!]"},
	{"inverted/dotted-truthy", "{'a': <{'b': <{'c': <true>}>}>}",
	 "\"{{^a.b.c}}Not Here{{/a.b.c}}\" == \"\"",
	 {NULL}, "\"\" == \"\""},
	{"inverted/dotted-falsey", "{'a': <{'b': <{'c': <false>}>}>}",
	 "\"{{^a.b.c}}Not Here{{/a.b.c}}\" == \"Not Here\"",
	 {NULL}, "\"Not Here\" == \"Not Here\""},
	{"inverted/dotted-broken-chain", "{'a': <@a{sv} {}>}",
	 "\"{{^a.b.c}}Not Here{{/a.b.c}}\" == \"Not Here\"",
	 {NULL}, "\"Not Here\" == \"Not Here\""},
	{"inverted/standalone-lines", "{'boolean': <false>}",
	 "| This Is\n{{^boolean}}\n|\n{{/boolean}}\n| A Line\n",
	 {NULL}, "| This Is\n|\n| A Line\n"},
	{"inverted/standalone-line-endings", "{'boolean': <false>}",
	 "|\r\n{{^boolean}}\r\n{{/boolean}}\r\n|",
	 {NULL}, "|\r\n|"},
	{"inverted/padding", "{'boolean': <false>}",
	 "|{{^ boolean }}={{/ boolean }}|",
	 {NULL}, "|=|"},

	/* comments */
	{"comments/inline", NULL, "12345{{! Comment Block! }}67890", {NULL}, "1234567890"},
	{"comments/multiline", NULL,
	 "12345{{!\n  This is a\n  multi-line comment...\n}}67890\n",
	 {NULL}, "1234567890\n"},
	{"comments/standalone", NULL,
	 "Begin.\n{{! Comment Block! }}\nEnd.\n",
	 {NULL}, "Begin.\nEnd.\n"},
	{"comments/indented-standalone", NULL,
	 "Begin.\n  {{! Indented Comment Block! }}\nEnd.\n",
	 {NULL}, "Begin.\nEnd.\n"},
	{"comments/standalone-line-endings", NULL,
	 "|\r\n{{! Standalone Comment }}\r\n|",
	 {NULL}, "|\r\n|"},
	{"comments/standalone-without-previous-line", NULL,
	 "  {{! I'm Still Standalone }}\n!",
	 {NULL}, "!"},
	{"comments/standalone-without-newline", NULL,
	 "!\n  {{! I'm Still Standalone }}",
	 {NULL}, "!\n"},
	{"comments/multiline-standalone", NULL,
	 "Begin.\n{{!\nSomething's going on here...\n}}\nEnd.\n",
	 {NULL}, "Begin.\nEnd.\n"},
	{"comments/indented-multiline-standalone", NULL,
	 "Begin.\n  {{!\n    Something's going on here...\n  }}\nEnd.\n",
	 {NULL}, "Begin.\nEnd.\n"},
	{"comments/indented-inline", NULL, "  12 {{! 34 }}\n", {NULL}, "  12 \n"},
	{"comments/surrounding-whitespace", NULL,
	 "12345 {{! Comment Block! }} 67890",
	 {NULL}, "12345  67890"},
	{"comments/variable-name-collision",
	 "{'! comment': <1>, '! comment ': <2>, '!comment': <3>, 'comment': <4>}",
	 "comments never show: >{{! comment }}<",
	 {NULL}, "comments never show: ><"},

	/* partials */
	{"partials/basic", NULL,
	 "\"{{>text}}\"",
	 {"text", "from partial", NULL}, "\"from partial\""},
	{"partials/failed-lookup", NULL, "\"{{>text}}\"", {NULL}, "\"\""},
	{"partials/context", "{'text': <'content'>}",
	 "\"{{>partial}}\"",
	 {"partial", "*{{text}}*", NULL}, "\"*content*\""},
	{"partials/recursion",
	 "{'content': <'X'>, 'nodes': <[<{'content': <'Y'>, 'nodes': <@av []>}>]>}",
	 "{{>node}}",
	 {"node", "{{content}}<{{#nodes}}{{>node}}{{/nodes}}>", NULL}, "X<Y<>>"},
	{"partials/nested", "{'a': <'hello'>, 'b': <'world'>}",
	 "{{>outer}}",
	 {"outer", "*{{a}} {{>inner}}*", "inner", "{{b}}!", NULL}, "*hello world!*"},
	{"partials/surrounding-whitespace", NULL,
	 "| {{>partial}} |",
	 {"partial", "\t|\t", NULL}, "| \t|\t |"},
	{"partials/inline-indentation", "{'data': <'|'>}",
	 "  {{data}}  {{> partial}}\n",
	 {"partial", ">\n>", NULL}, "  |  >\n>\n"},
	{"partials/standalone-line-endings", NULL,
	 "|\r\n{{>partial}}\r\n|",
	 {"partial", ">", NULL}, "|\r\n>|"},
	{"partials/standalone-without-previous-line", NULL,
	 "  {{>partial}}\n>",
	 {"partial", ">\n>", NULL}, "  >\n  >>"},
	{"partials/standalone-without-newline", NULL,
	 ">\n  {{>partial}}",
	 {"partial", ">\n>", NULL}, ">\n  >\n  >"},
	{"partials/standalone-indentation", "{'content': <'<\n->'>}",
	 "\\\n {{>partial}}\n/\n",
	 {"partial", "|\n{{{content}}}\n|\n", NULL}, "\\\n |\n <\n->\n |\n/\n"},
	{"partials/nested-standalone-indentation", "{'x': <'v'>}",
	 "[\n  {{>outer}}\n]\n",
	 {"outer", "o1\n  {{>inner}}\no2\n", "inner", "i1 {{x}}\n\ni2\n", NULL},
	 "[\n  o1\n    i1 v\n    \n    i2\n  o2\n]\n"},
	{"partials/padding-whitespace", "{'boolean': <true>}",
	 "|{{> partial }}|",
	 {"partial", "[]", NULL}, "|[]|"},

	/* set delimiters */
	{"delimiters/pair-behavior", "{'text': <'Hey!'>}",
	 "{{=<% %>=}}(<%text%>)",
	 {NULL}, "(Hey!)"},
	{"delimiters/special-characters", "{'text': <'It worked!'>}",
	 "({{=[ ]=}}[text])",
	 {NULL}, "(It worked!)"},
	{"delimiters/sections", "{'section': <true>, 'data': <'I got interpolated.'>}",
	 "[\n{{#section}}\n  {{data}}\n  |data|\n{{/section}}\n\n{{= | | =}}\n|#section|\n"
	 "  {{data}}\n  |data|\n|/section|\n]\n",
	 {NULL}, "[\n  I got interpolated.\n  |data|\n\n  {{data}}\n  I got interpolated.\n]\n"},
	{"delimiters/inverted-sections", "{'section': <false>, 'data': <'I got interpolated.'>}",
	 "[\n{{^section}}\n  {{data}}\n  |data|\n{{/section}}\n\n{{= | | =}}\n|^section|\n"
	 "  {{data}}\n  |data|\n|/section|\n]\n",
	 {NULL}, "[\n  I got interpolated.\n  |data|\n\n  {{data}}\n  I got interpolated.\n]\n"},
	{"delimiters/partial-inheritance", "{'value': <'yes'>}",
	 "[ {{>include}} ]\n{{= | | =}}\n[ |>include| ]\n",
	 {"include", ".{{value}}.", NULL}, "[ .yes. ]\n[ .yes. ]\n"},
	{"delimiters/post-partial-behavior", "{'value': <'yes'>}",
	 "[ {{>include}} ]\n[ .{{value}}.  .|value|. ]\n",
	 {"include", ".{{value}}. {{= | | =}} .|value|.", NULL},
	 "[ .yes.  .yes. ]\n[ .yes.  .|value|. ]\n"},
	{"delimiters/triple-with-custom", "{'x': <'&'>}", "{{=<% %>=}}<%{x}%>", {NULL}, "&"},
	{"delimiters/surrounding-whitespace", NULL, "| {{=@ @=}} |", {NULL}, "|  |"},
	{"delimiters/outlying-whitespace", NULL, " | {{=@ @=}}\n", {NULL}, " | \n"},
	{"delimiters/standalone", NULL, "Begin.\n{{=@ @=}}\nEnd.\n", {NULL}, "Begin.\nEnd.\n"},
	{"delimiters/indented-standalone", NULL,
	 "Begin.\n  {{=@ @=}}\nEnd.\n",
	 {NULL}, "Begin.\nEnd.\n"},
	{"delimiters/standalone-line-endings", NULL, "|\r\n{{= @ @ =}}\r\n|", {NULL}, "|\r\n|"},
	{"delimiters/standalone-without-previous-line", NULL, "  {{=@ @=}}\n=", {NULL}, "="},
	{"delimiters/standalone-without-newline", NULL, "=\n  {{=@ @=}}", {NULL}, "=\n"},
	{"delimiters/pair-with-padding", NULL, "|{{= @   @ =}}|", {NULL}, "||"},

	/* pxeforge's own choices */
	{"pxeforge/empty-string-falsy", "{'s': <''>}",
	 "[{{#s}}yes{{/s}}{{^s}}no{{/s}}]",
	 {NULL}, "[no]"},
	{"pxeforge/zero-truthy", "{'n': <0>}",
	 "[{{#n}}yes {{.}}{{/n}}{{^n}}no{{/n}}]",
	 {NULL}, "[yes 0]"},
	{"pxeforge/empty-dict-truthy", "{'d': <@a{sv} {}>}",
	 "[{{#d}}yes{{/d}}{{^d}}no{{/d}}]",
	 {NULL}, "[yes]"},
	{"pxeforge/string-array", "{'pkgs': <['vim', 'tmux']>}",
	 "{{#pkgs}}{{.}} {{/pkgs}}",
	 {NULL}, "vim tmux "},
	{"pxeforge/array-and-dict-print-empty", "{'l': <['a']>, 'd': <{'k': <'v'>}>}",
	 "[{{l}}][{{d}}][{{{l}}}]",
	 {NULL}, "[][][]"},
	{"pxeforge/booleans", "{'t': <true>, 'f': <false>}", "{{t}}/{{f}}", {NULL}, "true/false"},
	{"pxeforge/string-dict", "{'d': <@a{ss} {'k': 'v'}>}",
	 "{{d.k}}{{#d}}{{k}}{{/d}}",
	 {NULL}, "vv"},
	{"pxeforge/wrapped-variants", "{'vv': <<<'deep'>>>, 'm': <@ms 'just'>}",
	 "{{vv}} {{m}}",
	 {NULL}, "deep just"},
	{"pxeforge/empty-name-segments", "{'a': <{'b': <'x'>}>}",
	 "[{{.a}}{{a..b}}{{a.}}{{#.b}}no{{/.b}}{{^a.}}yes{{/a.}}]",
	 {NULL}, "[yes]"},
	{"pxeforge/root-dot-is-empty", "{'a': <'x'>}", "[{{.}}]", {NULL}, "[]"},
};
/* clang-format on */

static PxfVars *
vars_from_text(const gchar *text)
{
	g_autoptr(PxfVars) vars = pxf_vars_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) dict = NULL;
	GVariantIter iter;
	const gchar *key;
	GVariant *value;

	if (text == NULL)
		return g_steal_pointer(&vars);
	dict = g_variant_parse(G_VARIANT_TYPE_VARDICT, text, NULL, NULL, &error);
	g_assert_no_error(error);
	g_variant_iter_init(&iter, dict);
	while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
		pxf_vars_set(vars, key, value);
		g_variant_unref(value);
	}
	return g_steal_pointer(&vars);
}

/* Partials from a NULL-terminated name/text list; unknown names give NULL
 * without an error (the spec's "renders empty"). */
static PxfTemplate *
partials_from_list(const gchar *name, gpointer user_data, GError **error)
{
	const gchar *const *list = user_data;

	for (guint i = 0; list != NULL && list[i] != NULL && list[i + 1] != NULL; i += 2) {
		if (g_strcmp0(list[i], name) == 0)
			return pxf_template_new(name, list[i + 1], (gsize)-1, error);
	}
	return NULL;
}

static void
test_template_spec(gconstpointer user_data)
{
	const SpecCase *tc = user_data;
	g_autoptr(PxfVars) vars = vars_from_text(tc->data);
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfTemplate) tpl = NULL;
	g_autoptr(GString) out = g_string_new(NULL);

	tpl = pxf_template_new(tc->name, tc->tmpl, strlen(tc->tmpl), &error);
	g_assert_no_error(error);
	g_assert_nonnull(tpl);
	g_assert_true(pxf_template_render(tpl, vars, partials_from_list, (gpointer)tc->partials,
					  out, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(out->str, ==, tc->expected);
}

static gchar *
render_or_error(const gchar *text, const gchar *data, const gchar *const *partials)
{
	g_autoptr(PxfVars) vars = vars_from_text(data);
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfTemplate) tpl = pxf_template_new("t", text, strlen(text), &error);
	g_autoptr(GString) out = g_string_new(NULL);

	if (tpl == NULL)
		return g_strdup_printf("ERROR %d: %s", error->code, error->message);
	if (!pxf_template_render(tpl, vars, partials_from_list, (gpointer)partials, out, &error))
		return g_strdup_printf("ERROR %d: %s", error->code, error->message);
	return g_string_free(g_steal_pointer(&out), FALSE);
}

static void
test_template_syntax_errors(void)
{
	struct {
		const gchar *tmpl;
		const gchar *message;
	} cases[] = {
		{"a\n{{#x}}\nb", "t:2: unclosed section 'x'"},
		{"{{#a}}\n{{#b}}{{/b}}\n\n{{#c}}\n", "t:4: unclosed section 'c'"},
		{"{{#x}}\n{{#y}}\n{{/x}}",
		 "t:3: mismatched closing tag 'x', expected 'y' (opened on "
		 "line 2)"},
		{"{{^x}}{{/ y }}",
		 "t:1: mismatched closing tag 'y', expected 'x' (opened on line 1)"},
		{"ok\n{{/x}}", "t:2: unexpected closing tag 'x'"},
		{"a\n\n{{name", "t:3: unclosed tag"},
		{"a\n{{{name}}", "t:2: unclosed tag"},
		{"{{! never closed\n\n", "t:1: unclosed tag"},
		{"x\n{{=<% %>}}", "t:2: bad set-delimiter tag"},
		{"{{=a=}}", "t:1: bad set-delimiter tag"},
		{"{{=a b c=}}", "t:1: bad set-delimiter tag"},
		{"{{=a= b=}}", "t:1: bad set-delimiter tag"},
		{"{{= =}}", "t:1: bad set-delimiter tag"},
		{"{{=<% %>=}}\n<%name", "t:2: unclosed tag"},
		{"{{}}", "t:1: empty tag name"},
		{"\n{{ }}", "t:2: empty tag name"},
		{"{{# }}{{/}}", "t:1: empty tag name"},
		{"{{>  }}", "t:1: empty tag name"},
		{"{{&}}", "t:1: empty tag name"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(PxfTemplate) tpl =
			pxf_template_new("t", cases[i].tmpl, strlen(cases[i].tmpl), &error);
		g_test_message("case %u", i);
		g_assert_null(tpl);
		g_assert_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_SYNTAX);
		g_assert_cmpstr(error->message, ==, cases[i].message);
	}
}

static gchar *
nested_sections(guint depth)
{
	GString *str = g_string_new(NULL);
	for (guint i = 0; i < depth; i++)
		g_string_append_printf(str, "{{#s%u}}", i);
	g_string_append(str, "x");
	for (guint i = depth; i > 0; i--)
		g_string_append_printf(str, "{{/s%u}}", i - 1);
	return g_string_free(str, FALSE);
}

static void
test_template_section_depth(void)
{
	g_autofree gchar *ok = nested_sections(64);
	g_autofree gchar *bad = nested_sections(65);
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfTemplate) tpl = pxf_template_new("deep", ok, strlen(ok), &error);
	g_autoptr(PxfTemplate) tpl2 = NULL;

	g_assert_no_error(error);
	g_assert_nonnull(tpl);
	tpl2 = pxf_template_new("deep", bad, strlen(bad), &error);
	g_assert_null(tpl2);
	g_assert_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_SYNTAX);
	g_assert_cmpstr(error->message, ==, "deep:1: sections nested deeper than 64");
}

/* "p" includes itself once per level of "c": depth+1 partials in all. */
static gchar *
render_recursive(guint depth)
{
	const gchar *partials[] = {"p", "{{#c}}<{{>p}}>{{/c}}", NULL};
	g_autoptr(GString) data = g_string_new("{");

	for (guint i = 0; i < depth; i++)
		g_string_append(data, "'c': <{");
	g_string_append(data, "'c': <false>");
	for (guint i = 0; i < depth; i++)
		g_string_append(data, "}>");
	g_string_append(data, "}");
	return render_or_error("{{>p}}", data->str, partials);
}

static void
test_template_partial_recursion(void)
{
	g_autofree gchar *ok = render_recursive(31);
	g_autofree gchar *bad = render_recursive(32);
	g_autofree gchar *open = g_strnfill(31, '<');
	g_autofree gchar *close = g_strnfill(31, '>');
	g_autofree gchar *expected = g_strconcat(open, close, NULL);
	const gchar *self[] = {"self", "x{{>self}}", NULL};
	g_autofree gchar *loop = render_or_error("a\n{{>self}}", NULL, self);

	g_assert_cmpstr(ok, ==, expected);
	g_assert_cmpstr(bad, ==, "ERROR 2: p:1: partial 'p': partials nested more than 32 deep");
	g_assert_cmpstr(loop, ==,
			"ERROR 2: self:1: partial 'self': partials nested more than 32 deep");
}

static PxfTemplate *
partials_failing(const gchar *name, gpointer user_data, GError **error)
{
	if (g_strcmp0(name, "broken") == 0)
		return pxf_template_new("broken.mustache", "line1\n{{#open}}\n", (gsize)-1, error);
	if (g_strcmp0(name, "nested") == 0)
		return pxf_template_new("nested.mustache", "n\n{{>missing}}", (gsize)-1, error);
	g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no partial '%s'", name);
	return NULL;
}

static void
test_template_partial_errors(void)
{
	struct {
		const gchar *tmpl;
		const gchar *message;
	} cases[] = {
		{"a\nb\n{{>broken}}", "ks.tmpl:3: partial 'broken': broken.mustache:2: unclosed "
				      "section 'open'"},
		{"{{#t}}\n  {{> missing }}\n{{/t}}", "ks.tmpl:2: partial 'missing': no partial "
						     "'missing'"},
		{"\n{{>nested}}", "nested.mustache:2: partial 'missing': no partial 'missing'"},
	};
	g_autoptr(PxfVars) vars = vars_from_text("{'t': <true>}");

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(PxfTemplate) tpl = pxf_template_new("ks.tmpl", cases[i].tmpl, -1, &error);
		g_autoptr(GString) out = g_string_new("kept");

		g_assert_no_error(error);
		g_assert_false(pxf_template_render(tpl, vars, partials_failing, NULL, out, &error));
		g_assert_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_PARTIAL);
		g_assert_cmpstr(error->message, ==, cases[i].message);
		/* a failed render leaves nothing half-written behind */
		g_assert_cmpstr(out->str, ==, "kept");
	}

	/* no loader at all */
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(PxfTemplate) tpl = pxf_template_new("t", "x{{>p}}", -1, &error);
		g_autoptr(GString) out = g_string_new(NULL);
		g_assert_false(pxf_template_render(tpl, NULL, NULL, NULL, out, &error));
		g_assert_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_PARTIAL);
		g_assert_cmpstr(error->message, ==, "t:1: partial 'p': no partial loader");
	}
}

static void
write_file(const gchar *dir, const gchar *name, const gchar *contents)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = g_build_filename(dir, name, NULL);
	g_file_set_contents(path, contents, -1, &error);
	g_assert_no_error(error);
}

static void
rm_rf(const gchar *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const gchar *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree gchar *path = g_build_filename(dir, name, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(path, G_FILE_TEST_IS_SYMLINK))
			rm_rf(path);
		else
			g_unlink(path);
	}
	g_rmdir(dir);
}

/* Partials that report "not found" as pxf_template_partial_from_dirs() does */
static PxfTemplate *
partials_from_list_strict(const gchar *name, gpointer user_data, GError **error)
{
	PxfTemplate *tpl = partials_from_list(name, user_data, error);
	if (tpl == NULL && error != NULL && *error == NULL)
		g_set_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_PARTIAL,
			    "partial '%s' not found", name);
	return tpl;
}

static gchar *
check_or_error(const gchar *text, const gchar *const *partials)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfTemplate) tpl = pxf_template_new("t", text, strlen(text), &error);

	g_assert_no_error(error);
	if (!pxf_template_check(tpl, partials_from_list_strict, (gpointer)partials, &error))
		return g_strdup_printf("ERROR %d: %s", error->code, error->message);
	return g_strdup("OK");
}

/* What a render with some data never reaches, the check looks at anyway */
static void
test_template_check(void)
{
	const gchar *good[] = {"a", "A{{> b}}", "b", "B{{#more}}{{> a}}{{/more}}", NULL};
	const gchar *self[] = {"tree", "{{#kids}}{{> tree}}{{/kids}}", NULL};
	const gchar *broken[] = {"outer", "x\n{{> inner}}", "inner", "1\n2\n{{#x}}", NULL};
	const gchar *missing[] = {"outer", "x\n{{#a}}\n{{> nosuch}}{{/a}}", NULL};
	struct {
		const gchar *text;
		const gchar *const *partials;
		const gchar *expected;
	} cases[] = {
		{"{{> a}}", good, "OK"},
		{"{{> tree}}", self, "OK"},
		{"plain", NULL, "OK"},
		{"1\n{{#s}}\n{{> nosuch}}\n{{/s}}", good,
		 "ERROR 2: t:3: partial 'nosuch': partial 'nosuch' not found"},
		{"{{^s}}{{#t}}\n\n{{> nosuch}}{{/t}}{{/s}}", NULL,
		 "ERROR 2: t:3: partial 'nosuch': partial 'nosuch' not found"},
		{"{{> outer}}", broken,
		 "ERROR 2: t:1: partial 'outer': outer:2: partial 'inner': inner:3: unclosed "
		 "section 'x'"},
		{"\n{{> outer}}", missing,
		 "ERROR 2: t:2: partial 'outer': outer:3: partial 'nosuch': partial 'nosuch' not "
		 "found"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *got = check_or_error(cases[i].text, cases[i].partials);
		g_assert_cmpstr(got, ==, cases[i].expected);
	}
	/* and without a loader, a partial is an error, not a crash */
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(PxfTemplate) tpl = pxf_template_new("t", "{{> p}}", -1, &error);
		g_assert_false(pxf_template_check(tpl, NULL, NULL, &error));
		g_assert_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_PARTIAL);
		g_assert_cmpstr(error->message, ==, "t:1: partial 'p': no partial loader");
	}
}

/* The partials of a file: its directory, then CONFIG_DIR/snippets; and
 * pxf_template_check_file() looks there */
static void
test_template_check_file(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmp = g_dir_make_tmp("pxf-tpl-XXXXXX", &error);
	g_autofree gchar *tdir = g_build_filename(tmp, "templates", NULL);
	g_autofree gchar *sdir = g_build_filename(tmp, "snippets", NULL);
	g_autofree gchar *ks = g_build_filename(tdir, "ks.cfg", NULL);
	g_autofree gchar *expected = NULL;
	g_auto(GStrv) dirs = pxf_template_partial_dirs(ks, tmp);
	g_auto(GStrv) inline_dirs = pxf_template_partial_dirs(NULL, tmp);

	g_assert_no_error(error);
	g_assert_cmpuint(g_strv_length(dirs), ==, 2);
	g_assert_cmpstr(dirs[0], ==, tdir);
	g_assert_cmpstr(dirs[1], ==, sdir);
	g_assert_cmpuint(g_strv_length(inline_dirs), ==, 1);
	g_assert_cmpstr(inline_dirs[0], ==, sdir);

	g_assert_cmpint(g_mkdir(tdir, 0700), ==, 0);
	g_assert_cmpint(g_mkdir(sdir, 0700), ==, 0);
	write_file(tdir, "ks.cfg", "# ks\n{{#raid}}{{> disk}}{{/raid}}\n{{> net}}\n");
	write_file(tdir, "net.mustache", "network\n");
	write_file(sdir, "disk.tmpl", "part /\n");
	g_assert_true(pxf_template_check_file(ks, tmp, &error));
	g_assert_no_error(error);

	write_file(sdir, "disk.tmpl", "part /\n{{/raid}}\n");
	g_assert_false(pxf_template_check_file(ks, tmp, &error));
	g_assert_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_PARTIAL);
	expected = g_strdup_printf("%s:2: partial 'disk': %s/disk.tmpl:2: unexpected closing "
				   "tag 'raid'",
				   ks, sdir);
	g_assert_cmpstr(error->message, ==, expected);
	g_clear_error(&error);

	write_file(tdir, "ks.cfg", "# ks\n{{host\n");
	g_assert_false(pxf_template_check_file(ks, tmp, &error));
	g_assert_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_SYNTAX);
	g_clear_pointer(&expected, g_free);
	expected = g_strdup_printf("%s:2: unclosed tag", ks);
	g_assert_cmpstr(error->message, ==, expected);
	rm_rf(tmp);
}

static void
test_template_partial_dirs(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmp = g_dir_make_tmp("pxf-test-template-XXXXXX", &error);
	g_autofree gchar *d1 = NULL;
	g_autofree gchar *d2 = NULL;
	g_autofree gchar *sub = NULL;
	const gchar *dirs[3];
	const gchar *refused[] = {"", "../secret", "a/b", ".hidden", "x..y", "/etc/passwd"};
	PxfTemplate *tpl;

	g_assert_no_error(error);
	d1 = g_build_filename(tmp, "site", NULL);
	d2 = g_build_filename(tmp, "default", NULL);
	g_assert_cmpint(g_mkdir(d1, 0700), ==, 0);
	g_assert_cmpint(g_mkdir(d2, 0700), ==, 0);
	dirs[0] = d1;
	dirs[1] = d2;
	dirs[2] = NULL;
	write_file(d1, "net.tmpl", "site-net-tmpl");
	write_file(d1, "net.mustache", "site-net-mustache");
	write_file(d2, "net", "default-net");
	write_file(d2, "disk.tmpl", "default-disk");
	write_file(d2, "bad.mustache", "ok\n{{#x}}");
	write_file(tmp, "secret", "secret");
	sub = g_build_filename(d1, "adir", NULL);
	g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);

	/* NAME.mustache before NAME.tmpl in the first directory that has one */
	tpl = pxf_template_partial_from_dirs("net", dirs, &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_suffix(pxf_template_get_name(tpl), "site/net.mustache"));
	pxf_template_free(tpl);
	tpl = pxf_template_partial_from_dirs("disk", dirs, &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_suffix(pxf_template_get_name(tpl), "default/disk.tmpl"));
	pxf_template_free(tpl);

	/* the partial's own syntax error is reported with its path */
	tpl = pxf_template_partial_from_dirs("bad", dirs, &error);
	g_assert_null(tpl);
	g_assert_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_SYNTAX);
	g_assert_true(g_str_has_suffix(error->message, "bad.mustache:2: unclosed section 'x'"));
	g_clear_error(&error);

	/* a directory is not a partial */
	tpl = pxf_template_partial_from_dirs("adir", dirs, &error);
	g_assert_null(tpl);
	g_assert_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_PARTIAL);
	g_assert_true(g_str_has_prefix(error->message, "partial 'adir' not found in "));
	g_clear_error(&error);

	for (guint i = 0; i < G_N_ELEMENTS(refused); i++) {
		tpl = pxf_template_partial_from_dirs(refused[i], dirs, &error);
		g_assert_null(tpl);
		g_assert_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_PARTIAL);
		g_assert_true(g_str_has_prefix(error->message, "invalid partial name"));
		g_clear_error(&error);
	}

	/* used as the render's loader */
	{
		g_autoptr(PxfTemplate) main_tpl =
			pxf_template_new("main", "[{{>net}}|{{>disk}}]", -1, &error);
		g_autoptr(GString) out = g_string_new(NULL);
		g_assert_no_error(error);
		g_assert_true(pxf_template_render(main_tpl, NULL, pxf_template_partial_from_dirs,
						  dirs, out, &error));
		g_assert_no_error(error);
		g_assert_cmpstr(out->str, ==, "[site-net-mustache|default-disk]");
	}
	rm_rf(tmp);
}

static void
test_template_from_file(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmp = g_dir_make_tmp("pxf-test-template-XXXXXX", &error);
	g_autofree gchar *path = NULL;
	g_autofree gchar *missing = NULL;
	g_autoptr(PxfTemplate) tpl = NULL;
	PxfTemplate *tpl2;

	g_assert_no_error(error);
	write_file(tmp, "ok.tmpl", "hello {{who}}\n");
	write_file(tmp, "bad.tmpl", "one\ntwo {{#x}}\n");
	path = g_build_filename(tmp, "ok.tmpl", NULL);
	tpl = pxf_template_new_from_file(path, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(pxf_template_get_name(tpl), ==, path);

	g_free(path);
	path = g_build_filename(tmp, "bad.tmpl", NULL);
	tpl2 = pxf_template_new_from_file(path, &error);
	g_assert_null(tpl2);
	g_assert_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_SYNTAX);
	{
		g_autofree gchar *msg = g_strdup_printf("%s:2: unclosed section 'x'", path);
		g_assert_cmpstr(error->message, ==, msg);
	}
	g_clear_error(&error);

	missing = g_build_filename(tmp, "missing.tmpl", NULL);
	tpl2 = pxf_template_new_from_file(missing, &error);
	g_assert_null(tpl2);
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_clear_error(&error);

	tpl2 = pxf_template_new_from_file(tmp, &error);
	g_assert_null(tpl2);
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
	rm_rf(tmp);
}

static void
test_template_limits(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfVars) vars = vars_from_text("{'l': <['a', 'b', 'c', 'd']>}");
	g_autoptr(PxfTemplate) tpl = pxf_template_new(
		"big", "{{#l}}{{#l}}{{#l}}0123456789{{/l}}{{/l}}{{/l}}", -1, &error);
	g_autoptr(GString) out = g_string_new("pre");
	g_autoptr(GString) bomb = g_string_new(NULL);
	g_autoptr(PxfTemplate) bomb_tpl = NULL;

	g_assert_no_error(error);
	g_assert_true(pxf_template_render(tpl, vars, NULL, NULL, out, &error));
	g_assert_cmpuint(out->len, ==, 3 + 640);

	pxf_template_set_max_output(tpl, 100);
	g_string_assign(out, "pre");
	g_assert_false(pxf_template_render(tpl, vars, NULL, NULL, out, &error));
	g_assert_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_FAILED);
	g_assert_cmpstr(error->message, ==, "big:1: output larger than 100 bytes");
	g_assert_cmpstr(out->str, ==, "pre");
	g_clear_error(&error);

	pxf_template_set_max_output(tpl, 0);
	pxf_template_set_max_steps(tpl, 50);
	g_assert_false(pxf_template_render(tpl, vars, NULL, NULL, out, &error));
	g_assert_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_FAILED);
	g_assert_true(
		g_str_has_prefix(error->message, "big:1: rendering takes more than 50 steps"));
	g_clear_error(&error);

	/* 4^64 iterations that print nothing: the default step budget ends it */
	for (guint i = 0; i < 64; i++)
		g_string_append(bomb, "{{#l}}");
	for (guint i = 0; i < 64; i++)
		g_string_append(bomb, "{{/l}}");
	bomb_tpl = pxf_template_new("bomb", bomb->str, bomb->len, &error);
	g_assert_no_error(error);
	g_assert_false(pxf_template_render(bomb_tpl, vars, NULL, NULL, out, &error));
	g_assert_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_FAILED);
	g_clear_error(&error);

	/* a partial doubling itself each level: the depth limit comes first */
	{
		const gchar *twice[] = {"t", "ab{{>t}}{{>t}}", NULL};
		g_autofree gchar *res = render_or_error("{{>t}}", NULL, twice);
		g_assert_cmpstr(res, ==,
				"ERROR 2: t:1: partial 't': partials nested more than 32 deep");
	}
	/* 2^31 partial renders within the depth limit: the step budget ends it */
	{
		const gchar *twice[] = {"t", "{{#c}}{{>t}}{{>t}}{{/c}}", NULL};
		g_autoptr(GString) data = g_string_new("{");
		g_autofree gchar *res = NULL;
		for (guint i = 0; i < 31; i++)
			g_string_append(data, "'c': <{");
		g_string_append(data, "'c': <false>");
		for (guint i = 0; i < 31; i++)
			g_string_append(data, "}>");
		g_string_append(data, "}");
		res = render_or_error("{{>t}}", data->str, twice);
		g_assert_true(g_str_has_prefix(res, "ERROR 0: t:1: rendering takes more than"));
	}
}

static void
test_template_reuse(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfTemplate) tpl = pxf_template_new(
		"dhcp", "host {{host.hostname}} { hardware ethernet {{host.mac}}; }\n", -1, &error);
	const gchar *hosts[] = {"{'host': <{'hostname': <'web1'>, 'mac': <'aa:bb:cc:dd:ee:01'>}>}",
				"{'host': <{'hostname': <'web2'>, 'mac': <'aa:bb:cc:dd:ee:02'>}>}"};
	g_autoptr(GString) out = g_string_new(NULL);

	g_assert_no_error(error);
	for (guint i = 0; i < G_N_ELEMENTS(hosts); i++) {
		g_autoptr(PxfVars) vars = vars_from_text(hosts[i]);
		g_assert_true(pxf_template_render(tpl, vars, NULL, NULL, out, &error));
		g_assert_no_error(error);
	}
	g_assert_cmpstr(out->str, ==,
			"host web1 { hardware ethernet aa:bb:cc:dd:ee:01; }\n"
			"host web2 { hardware ethernet aa:bb:cc:dd:ee:02; }\n");
}

static void
test_template_values(void)
{
	g_autofree gchar *res = render_or_error(
		"{{b}}|{{i}}|{{u}}|{{y}}|{{q}}|{{d}}|{{e}}|{{s}}|{{o}}|{{l}}|{{m}}|{{n}}",
		"{'b': <false>, 'i': <int64 -5>, 'u': <uint64 18446744073709551615>, 'y': <byte 7>,"
		" 'q': <uint16 65535>, 'd': <1.5>, 'e': <1e20>, 's': <'x y'>, 'o': <objectpath "
		"'/a'>,"
		" 'l': <@av []>, 'm': <@a{sv} {}>, 'n': <@mi nothing>}",
		NULL);
	g_assert_cmpstr(res, ==, "false|-5|18446744073709551615|7|65535|1.5|1e+20|x y|/a|||");
}

static void
test_template_nul_bytes(void)
{
	const gchar text[] = "a\0{{x}}\n\0{{#y}}";
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfTemplate) tpl = pxf_template_new("nul", "a\0{{x}}\0b", 9, &error);
	g_autoptr(PxfTemplate) bad = NULL;
	g_autoptr(PxfVars) vars = vars_from_text("{'x': <'X'>}");
	g_autoptr(GString) out = g_string_new(NULL);

	g_assert_no_error(error);
	g_assert_true(pxf_template_render(tpl, vars, NULL, NULL, out, &error));
	g_assert_cmpmem(out->str, out->len, "a\0X\0b", 5);
	bad = pxf_template_new("nul", text, sizeof(text) - 1, &error);
	g_assert_null(bad);
	g_assert_cmpstr(error->message, ==, "nul:2: unclosed section 'y'");
}

static void
test_template_flat_dotted_names(void)
{
	g_autoptr(PxfVars) vars = pxf_vars_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(PxfTemplate) tpl = pxf_template_new(
		"t", "{{dhcp.next_server}}|{{#ctx}}{{dhcp.next_server}}{{/ctx}}", -1, &error);
	g_autoptr(GString) out = g_string_new(NULL);

	g_assert_no_error(error);
	pxf_vars_set_string(vars, "dhcp.next_server", "10.0.0.1");
	/* ctx has its own "dhcp": the chain is resolved there, not at the root */
	pxf_vars_set(vars, "ctx",
		     g_variant_parse(NULL, "{'dhcp': <{'other': <1>}>}", NULL, NULL, NULL));
	g_assert_true(pxf_template_render(tpl, vars, NULL, NULL, out, &error));
	g_assert_cmpstr(out->str, ==, "10.0.0.1|");
}

/* Byte soup must parse or fail cleanly, never crash. */
static void
test_template_hostile(void)
{
	const gchar alphabet[] = "{}#^/!>=&.ab \n\r\t<%|\0";
	g_autoptr(GRand) rand = g_rand_new_with_seed(4242);
	g_autoptr(PxfVars) vars =
		vars_from_text("{'a': <['x', 'y']>, 'b': <{'a': <true>}>, 'ab': <''>}");
	const gchar *partials[] = {"a", "{{>a}}", "b", "{{#a}}{{>b}}{{/a}}", NULL};

	for (guint i = 0; i < 3000; i++) {
		gchar buf[64];
		gsize len = (gsize)g_rand_int_range(rand, 0, sizeof(buf));
		g_autoptr(GError) error = NULL;
		g_autoptr(PxfTemplate) tpl = NULL;
		g_autoptr(GString) out = g_string_new(NULL);

		for (gsize j = 0; j < len; j++)
			buf[j] = alphabet[g_rand_int_range(rand, 0, sizeof(alphabet) - 1)];
		tpl = pxf_template_new("soup", buf, len, &error);
		if (tpl == NULL) {
			g_assert_error(error, PXF_TEMPLATE_ERROR, PXF_TEMPLATE_ERROR_SYNTAX);
			g_assert_true(g_str_has_prefix(error->message, "soup:"));
			continue;
		}
		pxf_template_set_max_steps(tpl, 100000);
		if (!pxf_template_render(tpl, vars, partials_from_list, partials, out, &error))
			g_assert_nonnull(error);
	}
}

static gchar *
read_data(const gchar *name)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path = pxf_test_build_filename("tests", "data", "template", name, NULL);
	gchar *contents = NULL;

	g_file_get_contents(path, &contents, NULL, &error);
	g_assert_no_error(error);
	return contents;
}

static void
test_template_kickstart(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *path =
		pxf_test_build_filename("tests", "data", "template", "ks.tmpl", NULL);
	g_autofree gchar *pdir =
		pxf_test_build_filename("tests", "data", "template", "partials", NULL);
	const gchar *dirs[] = {pdir, NULL};
	g_autoptr(PxfTemplate) tpl = pxf_template_new_from_file(path, &error);
	struct {
		const gchar *data;
		const gchar *expected;
	} cases[] = {
		{"{'host': <{'hostname': <'web1'>, 'mac': <'52:54:00:12:34:56'>, 'ip': "
		 "<'10.0.0.21'>}>,"
		 " 'distro': <{'name': <'rocky9'>, 'tree': <'http://10.0.0.1/trees/rocky9'>}>,"
		 " 'lang': <'en_US.UTF-8'>, 'timezone': <'Europe/Berlin'>, 'netmask': "
		 "<'255.255.255.0'>,"
		 " 'gateway': <'10.0.0.1'>, 'root_hash': <'$6$salt$hash'>,"
		 " 'server': <'http://10.0.0.1:8080'>, 'packages': <['vim-enhanced', 'tmux', "
		 "'chrony']>,"
		 " 'repos': <[<{'name': <'epel'>, 'url': <'http://mirror/epel/9'>}>,"
		 " <{'name': <'site'>, 'url': <'http://10.0.0.1/site'>}>]>}",
		 "ks-static.expected"},
		{"{'host': <{'hostname': <'lab7'>, 'mac': <'52:54:00:ab:cd:ef'>}>,"
		 " 'distro': <{'name': <'rocky9'>, 'tree': <'http://10.0.0.1/trees/rocky9'>}>,"
		 " 'lang': <'de_DE.UTF-8'>, 'timezone': <'UTC'>, 'root_hash': <'$6$x$y'>,"
		 " 'server': <'http://pxe'>, 'packages': <@as []>, 'repos': <@av []>}",
		 "ks-dhcp.expected"},
	};

	g_assert_no_error(error);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(PxfVars) vars = vars_from_text(cases[i].data);
		g_autoptr(GString) out = g_string_new(NULL);
		g_autofree gchar *expected = read_data(cases[i].expected);

		g_assert_true(pxf_template_render(tpl, vars, pxf_template_partial_from_dirs, dirs,
						  out, &error));
		g_assert_no_error(error);
		g_assert_cmpstr(out->str, ==, expected);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (guint i = 0; i < G_N_ELEMENTS(spec_cases); i++) {
		g_autofree gchar *path =
			g_strdup_printf("/core/template/spec/%s", spec_cases[i].name);
		g_test_add_data_func(path, &spec_cases[i], test_template_spec);
	}
	g_test_add_func("/core/template/syntax-errors", test_template_syntax_errors);
	g_test_add_func("/core/template/section-depth", test_template_section_depth);
	g_test_add_func("/core/template/partial-recursion", test_template_partial_recursion);
	g_test_add_func("/core/template/partial-errors", test_template_partial_errors);
	g_test_add_func("/core/template/partial-dirs", test_template_partial_dirs);
	g_test_add_func("/core/template/check", test_template_check);
	g_test_add_func("/core/template/check-file", test_template_check_file);
	g_test_add_func("/core/template/from-file", test_template_from_file);
	g_test_add_func("/core/template/limits", test_template_limits);
	g_test_add_func("/core/template/reuse", test_template_reuse);
	g_test_add_func("/core/template/values", test_template_values);
	g_test_add_func("/core/template/nul-bytes", test_template_nul_bytes);
	g_test_add_func("/core/template/flat-dotted-names", test_template_flat_dotted_names);
	g_test_add_func("/core/template/hostile", test_template_hostile);
	g_test_add_func("/core/template/kickstart", test_template_kickstart);
	return g_test_run();
}
