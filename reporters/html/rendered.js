// Counts what the browser laid out, for the browser test: the page computes
// nothing else here. Each chart gets data-rendered (its points and bars with a
// box), and <meta name="benchctl-rendered"> the totals.
window.addEventListener("load", function () {
  function shown(el) {
    var r = el.getBoundingClientRect();
    return r.width > 0 || r.height > 0;
  }
  var charts = document.querySelectorAll("svg.chart");
  var laidOut = 0, points = 0, stages = 0;
  for (var i = 0; i < charts.length; i++) {
    var c = charts[i];
    if (shown(c)) {
      laidOut++;
    }
    var pts = c.querySelectorAll(".pt, .bar"), n = 0;
    for (var j = 0; j < pts.length; j++) {
      if (shown(pts[j])) {
        n++;
      }
    }
    var st = c.querySelectorAll(".stage");
    for (var k = 0; k < st.length; k++) {
      if (shown(st[k])) {
        stages++;
      }
    }
    c.setAttribute("data-rendered", String(n));
    points += n;
  }
  var meta = document.querySelector('meta[name="benchctl-rendered"]');
  meta.setAttribute("content", "charts=" + laidOut + " points=" + points + " stages=" + stages);
});
