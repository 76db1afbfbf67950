/// The Mustache templates of the governors' HTML report. Every value goes through `{{…}}`, which
/// escapes HTML; the page needs nothing from outside itself (styles, charts and script inline).
enum GovernorsTemplates {
    static let page = """
        <!DOCTYPE html>
        <html lang="en-GB">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}}</title>
        <script>
        window.__reportErrors = [];
        window.addEventListener("error", function (event) { window.__reportErrors.push(String(event.message)); });
        (function () {
          var original = console.error;
          console.error = function () {
            window.__reportErrors.push(Array.prototype.join.call(arguments, " "));
            return original.apply(console, arguments);
          };
        })();
        document.addEventListener("DOMContentLoaded", function () {
          // A chart counts as drawn when it laid out at a size and holds a mark (a bar, a point, a line).
          var charts = Array.prototype.filter.call(document.querySelectorAll("svg[data-chart]"), function (svg) {
            var box = svg.getBBox();
            return box.width > 0 && box.height > 0 && svg.querySelector("rect, circle, polyline") !== null;
          }).length;
          var check = document.getElementById("report-check");
          check.setAttribute("data-charts", String(charts));
          check.setAttribute("data-errors", String(window.__reportErrors.length));
          check.textContent = window.__reportErrors.join("\\n");
        });
        </script>
        <style>
        :root { color-scheme: light; }
        body { font-family: "Segoe UI", Helvetica, Arial, sans-serif; color: #1d2733; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; line-height: 1.4; }
        h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
        h2 { font-size: 1.35rem; border-bottom: 3px solid #1b6ca8; padding-bottom: 0.2rem; margin-top: 2.5rem; }
        h3 { font-size: 1.05rem; margin: 1.4rem 0 0.4rem; }
        .meta, .note { color: #4a5866; font-size: 0.9rem; }
        .headline { display: flex; gap: 1rem; flex-wrap: wrap; margin: 0.8rem 0; }
        .headline div { background: #eef4fa; border-radius: 6px; padding: 0.6rem 1rem; }
        .headline strong { display: block; font-size: 1.4rem; }
        figure.chart { display: flex; flex-wrap: wrap; gap: 1.2rem; align-items: flex-start; margin: 0.6rem 0 1.2rem; }
        figure.chart svg { flex: 0 0 auto; max-width: 100%; height: auto; background: #fbfcfd; border: 1px solid #dde3ea; border-radius: 4px; }
        figure.chart figcaption { flex-basis: 100%; font-weight: 600; }
        table { border-collapse: collapse; font-size: 0.85rem; }
        th, td { border: 1px solid #c9d2dc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
        th { background: #eef2f6; }
        td.num { text-align: right; }
        .overdue { color: #a8201a; font-weight: 600; }
        .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 1rem; }
        #report-check { display: none; }
        @media print {
          body { margin: 0; max-width: none; font-size: 10pt; }
          h2 { break-before: page; }
          section:first-of-type h2 { break-before: auto; }
          figure.chart, table { break-inside: avoid; }
          figure.chart svg { border: none; }
          .headline div { border: 1px solid #999; background: none; }
        }
        </style>
        </head>
        <body>
        <header>
        <h1>{{title}}</h1>
        <p class="meta">{{period}}: {{from}} to {{to}}, compared with {{lastFrom}} to {{lastTo}}. Produced {{generated}}.</p>
        <p class="note">No child is identified in this report. Any count from 1 to {{largestSuppressed}} reads “fewer than {{threshold}}”, and a figure from which such a count could be worked out (a total less the figures beside it) reads “not shown”; restricted categories are counted together in one line; no text from any incident appears.</p>
        </header>
        <main>
        {{#sections}}
        {{> section}}
        {{/sections}}
        </main>
        <div id="report-check" data-expected-charts="{{expectedCharts}}"></div>
        </body>
        </html>

        """

    static let section = """
        <section id="{{id}}" aria-labelledby="{{id}}-title">
        <h2 id="{{id}}-title">{{name}}{{^isTrust}} (URN {{urn}}){{/isTrust}}{{#isTrust}}: all schools{{/isTrust}}</h2>
        <div class="headline">
          <div>Incidents this period<strong>{{total}}</strong></div>
          <div>Same period last year<strong>{{totalLastYear}}</strong></div>
          <div>Reports with an action recorded<strong>{{firstActionIncidents}}</strong></div>
          <div>Median hours to first action<strong>{{medianHours}}</strong></div>
        </div>

        <h3>Incidents by category and term</h3>
        <figure class="chart">
        <figcaption id="{{id}}-stack-caption">Incidents by term and category, each term beside the same term last year</figcaption>
        <svg data-chart="stacked" role="img" aria-labelledby="{{id}}-stack-caption" width="{{stackWidth}}" height="300" viewBox="0 0 {{stackWidth}} 300">
          <defs><pattern id="{{id}}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#5b6770" stroke-width="3"/></pattern></defs>
          <line x1="44" y1="210" x2="{{legendX}}" y2="210" stroke="#5b6770"/>
          {{#bars}}
          <g>{{#segments}}<rect x="{{x}}" y="{{y}}" width="{{width}}" height="{{height}}" fill="{{#hatched}}url(#{{id}}-hatch){{/hatched}}{{^hatched}}{{colour}}{{/hatched}}" stroke="{{colour}}"><title>{{label}}</title></rect>{{/segments}}</g>
          <text x="{{labelX}}" y="{{labelY}}" font-size="9" text-anchor="end" transform="rotate(-40 {{labelX}} {{labelY}})" fill="{{#lastYear}}#6b7785{{/lastYear}}{{^lastYear}}#1d2733{{/lastYear}}">{{label}}</text>
          {{/bars}}
          <text x="44" y="294" font-size="9" fill="#5b6770">Hatched: fewer than the school's threshold, drawn at one height whatever the count.</text>
          {{#legend}}<rect x="{{legendX}}" y="{{y}}" width="10" height="10" fill="{{colour}}"/>{{/legend}}
          <g transform="translate({{legendX}} 0)">{{#legend}}<text x="16" y="{{y}}" dy="9" font-size="10">{{label}}</text>{{/legend}}</g>
        </svg>
        <table>
          <caption class="note">Incidents by category</caption>
          <thead><tr><th scope="col">Category</th>{{#columns}}<th scope="col">{{label}}</th>{{/columns}}</tr></thead>
          <tbody>{{#categoryRows}}<tr><th scope="row">{{label}}</th>{{#cells}}<td class="num">{{value}}</td>{{/cells}}</tr>{{/categoryRows}}</tbody>
        </table>
        </figure>

        <h3>This year against last</h3>
        <figure class="chart">
        <figcaption id="{{id}}-line-caption">Incidents per term: this year (solid) against the same term last year (dashed)</figcaption>
        {{#line}}
        <svg data-chart="line" role="img" aria-labelledby="{{id}}-line-caption" width="{{lineWidth}}" height="250" viewBox="0 0 {{lineWidth}} 250">
          <rect data-band="small" x="40" y="{{bandY}}" width="{{bandWidth}}" height="{{bandHeight}}" fill="#eef1f4"/>
          <text x="44" y="{{bandLabelY}}" font-size="9" fill="#5b6770">fewer than {{threshold}}</text>
          <line x1="40" y1="210" x2="{{lineWidth}}" y2="210" stroke="#5b6770"/>
          {{#lastYear}}<polyline points="{{points}}" fill="none" stroke="#e07a1f" stroke-width="2" stroke-dasharray="6 4"/>{{/lastYear}}
          {{#thisYear}}<polyline points="{{points}}" fill="none" stroke="#1b6ca8" stroke-width="3"/>{{/thisYear}}
          {{#dots}}{{#withheld}}<text x="{{cx}}" y="204" font-size="9" text-anchor="middle" fill="{{colour}}">not shown<title>{{title}}</title></text>{{/withheld}}{{^withheld}}<circle cx="{{cx}}" cy="{{cy}}" r="4" {{#hollow}}fill="#ffffff" stroke="{{colour}}" stroke-width="2"{{/hollow}}{{^hollow}}fill="{{colour}}"{{/hollow}}><title>{{title}}</title></circle>{{/withheld}}{{/dots}}
          {{#ticks}}<text x="{{x}}" y="228" font-size="11" text-anchor="middle">{{label}}</text>{{/ticks}}
        </svg>
        <table>
          <caption class="note">Incidents per term</caption>
          <thead><tr><th scope="col">Term</th><th scope="col">This year</th><th scope="col">Last year</th></tr></thead>
          <tbody>{{#rows}}<tr><th scope="row">{{term}}</th><td class="num">{{now}}</td><td class="num">{{before}}</td></tr>{{/rows}}</tbody>
        </table>
        {{/line}}
        </figure>

        <h3>Incidents by risk area</h3>
        <table>
          <thead><tr><th scope="col">Risk area</th>{{#columns}}<th scope="col">{{label}}</th>{{/columns}}</tr></thead>
          <tbody>{{#riskRows}}<tr><th scope="row">{{label}}</th>{{#cells}}<td class="num">{{value}}</td>{{/cells}}</tr>{{/riskRows}}</tbody>
        </table>
        <p class="note">Risk areas count incidents in unrestricted categories; restricted categories are counted only in their combined line.</p>

        <div class="grid">
        <div>
        <h3>Referrals by agency</h3>
        {{> figureTable}}
        </div>
        <div>
        <h3>Time from report to first action</h3>
        <table><tbody>
          <tr><th scope="row">Reports with an action recorded</th><td class="num">{{firstActionIncidents}}</td></tr>
          <tr><th scope="row">Median, hours</th><td class="num">{{medianHours}}</td></tr>
          <tr><th scope="row">Median, working days (8 hours)</th><td class="num">{{medianDays}}</td></tr>
        </tbody></table>
        </div>
        </div>

        {{#hasCoverage}}
        <h3>Training, acceptable use and consent coverage</h3>
        <figure class="chart">
        <figcaption id="{{id}}-coverage-caption">Coverage, per cent of each group (groups below the threshold are not drawn)</figcaption>
        <svg data-chart="coverage" role="img" aria-labelledby="{{id}}-coverage-caption" width="620" height="{{coverageHeight}}" viewBox="0 0 620 {{coverageHeight}}">
          {{#coverage}}
          <rect x="250" y="{{y}}" width="360" height="16" fill="#e4e9ee"/>
          {{#shown}}<rect x="250" y="{{y}}" width="{{width}}" height="16" fill="#3a9d5d"/>{{/shown}}
          <text x="244" y="{{textY}}" font-size="10" text-anchor="end">{{label}}</text>
          {{/coverage}}
        </svg>
        <table>
          <thead><tr><th scope="col">Group</th><th scope="col">People</th><th scope="col">Covered</th><th scope="col">Per cent</th></tr></thead>
          <tbody>{{#coverage}}<tr><th scope="row">{{label}}</th><td class="num">{{people}}</td><td class="num">{{covered}}</td><td class="num">{{percent}}</td></tr>{{/coverage}}</tbody>
        </table>
        </figure>
        {{/hasCoverage}}

        {{#hasFiltering}}{{#filtering}}
        <h3>Filtering and monitoring</h3>
        <div class="grid">
        <table><tbody>
          <tr><th scope="row">Filtering provider</th><td>{{provider}}</td></tr>
          <tr><th scope="row">Connection</th><td>{{connection}}</td></tr>
          <tr><th scope="row">Responsible senior leader</th><td>{{leader}}</td></tr>
          <tr><th scope="row">Responsible governor</th><td>{{governor}}</td></tr>
          <tr><th scope="row">Last annual review</th><td>{{lastReview}}</td></tr>
          <tr><th scope="row">Next review due</th><td>{{nextReview}}</td></tr>
        </tbody></table>
        <table><caption class="note">Changes requested this period</caption><tbody>{{#changes}}<tr><th scope="row">{{label}}</th><td class="num">{{value}}</td></tr>{{/changes}}</tbody></table>
        <table><caption class="note">Checks this period</caption><tbody>{{#checks}}<tr><th scope="row">{{label}}</th><td class="num">{{value}}</td></tr>{{/checks}}</tbody></table>
        </div>
        {{/filtering}}{{/hasFiltering}}

        {{#hasCalendar}}
        <h3>Governance calendar</h3>
        <table>
          <thead><tr><th scope="col">Item</th><th scope="col">Due</th><th scope="col">Status</th></tr></thead>
          <tbody>{{#calendar}}<tr><th scope="row">{{title}}</th><td>{{due}}</td><td{{#overdue}} class="overdue"{{/overdue}}>{{status}}</td></tr>{{/calendar}}</tbody>
        </table>
        {{/hasCalendar}}
        </section>

        """

    static let figureTable = """
        <table><tbody>{{#referrals}}<tr><th scope="row">{{label}}</th><td class="num">{{value}}</td></tr>{{/referrals}}</tbody></table>

        """
}
