// Runs in the live dashboard's page: listens to sockcap's Server-Sent Events and, as each
// interval closes, replaces the "Over time" charts with the new ones (drawn by the report's
// own chart code) and the headline with where the run stands. When the run ends it links
// report.html, fetched at once into the page (a blob), so the link still opens after sockcap
// has exited and its server is gone. body[data-intervals] and [data-points] let tests follow.

export const liveScript = `
(function () {
  var verdict = document.getElementById('verdict');
  var holder = document.getElementById('live-charts');
  var events = new EventSource('/events');
  function headline(state, text) {
    verdict.className = 'verdict ' + state;
    verdict.textContent = text;
  }
  events.addEventListener('update', function (event) {
    var update = JSON.parse(event.data);
    headline('running', update.headline);
    holder.innerHTML = update.html;
    window.sockcapDrawCharts(update.charts);
    document.body.setAttribute('data-intervals', String(update.intervals));
    var points = 0;
    update.charts.forEach(function (chart) { points += chart.x.length; });
    document.body.setAttribute('data-points', String(points));
  });
  events.addEventListener('finished', function (event) {
    var finished = JSON.parse(event.data);
    events.close();
    headline(finished.passed ? 'passed' : 'failed', finished.headline);
    var line = document.createElement('p');
    line.className = 'note';
    var link = document.createElement('a');
    link.id = 'report-link';
    link.textContent = 'report.html';
    link.href = finished.report;
    link.target = '_blank';
    line.appendChild(document.createTextNode('The run has ended: '));
    line.appendChild(link);
    line.appendChild(document.createTextNode(' (also in ' + finished.dir + ')'));
    verdict.parentNode.insertBefore(line, verdict.nextSibling);
    fetch(finished.report).then(function (response) {
      if (!response.ok) throw new Error('report.html: HTTP ' + response.status);
      return response.blob();
    }).then(function (blob) {
      link.href = URL.createObjectURL(blob);
      document.body.setAttribute('data-report', 'kept');
    }).catch(function (error) {
      document.body.setAttribute('data-report', 'error: ' + error.message);
    });
  });
})();
`;
