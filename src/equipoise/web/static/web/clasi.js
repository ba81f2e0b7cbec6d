/*
 * CLASI entry page: live CLASI-A / CLASI-D totals, severity band and body-map shading while the
 * assessor fills in the grid. Display only: the server rebuilds the record from the posted radios
 * and scores it on save (equipoise.instruments.clasi); nothing computed here is stored.
 *
 * Rules mirrored from the trial sheet §6: CLASI-A = erythema + scale over the 13 areas + mucous
 * membrane + recent hair loss + non-scarring alopecia; CLASI-D = dyspigmentation (doubled when it
 * lasts 12 months or more) + scarring + scarring alopecia of the scalp. The severity bands and
 * the body-map palette are read from the page (the server writes them), never repeated here.
 */
(function () {
  "use strict";

  var form = document.getElementById("clasi-form");
  if (!form || form.getAttribute("data-editable") !== "true") {
    return;
  }
  var bandsNode = document.getElementById("clasi-bands");
  var bands = bandsNode ? JSON.parse(bandsNode.textContent) : [];
  var map = document.querySelector("#body-map svg");
  var activityWord = map ? map.getAttribute("data-activity-word") : "";
  var palette = {};
  if (map) {
    map.querySelectorAll("[data-level]").forEach(function (swatch) {
      palette[swatch.getAttribute("data-level")] = swatch.getAttribute("fill");
    });
  }

  function value(name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? parseInt(checked.value, 10) : 0;
  }

  function severity(activity) {
    for (var i = 0; i < bands.length; i += 1) {
      if (activity >= bands[i][0] && activity <= bands[i][1]) {
        return bands[i][2];
      }
    }
    return "—";
  }

  function shade(area, activity) {
    var group = map ? map.querySelector("#clasi-area-" + area) : null;
    if (group) {
      group.setAttribute("fill", palette[String(activity)] || group.getAttribute("fill"));
      group.setAttribute("class", "clasi-area level-" + activity);
      group.setAttribute("data-activity", String(activity));
      var title = group.querySelector("title");
      if (title) {
        title.textContent = group.getAttribute("data-label") + ": " + activityWord + " " + activity;
      }
    }
    var badge = form.querySelector('[data-area-activity="' + area + '"]');
    if (badge) {
      badge.textContent = String(activity);
    }
  }

  function recompute() {
    var activity = 0;
    var dyspigmentation = 0;
    var scarring = 0;
    form.querySelectorAll("tr[data-area]").forEach(function (row) {
      var area = row.getAttribute("data-area");
      var prefix = "regions." + area + ".";
      var areaActivity = value(prefix + "erythema") + value(prefix + "scale");
      activity += areaActivity;
      dyspigmentation += value(prefix + "dyspigmentation");
      scarring += value(prefix + "scarring");
      shade(area, areaActivity);
    });
    activity += value("mucous_membrane") + value("recent_hair_loss") + value("nonscarring_alopecia");
    var longLasting = form.querySelector('input[name="dyspigmentation_12_months_or_more"]');
    var multiplier = longLasting && longLasting.checked ? 2 : 1;
    var damage = dyspigmentation * multiplier + scarring + value("scarring_alopecia");
    document.getElementById("clasi-a-total").textContent = String(activity);
    document.getElementById("clasi-d-total").textContent = String(damage);
    document.getElementById("clasi-severity").textContent = severity(activity);
  }

  form.addEventListener("change", recompute);
  recompute();
})();
