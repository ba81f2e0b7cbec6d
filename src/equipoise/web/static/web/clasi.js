/*
 * CLASI entry page: live CLASI-A / CLASI-D totals, severity band and body-map shading while the
 * assessor fills in the grid. Display only: the server rebuilds the record from the posted radios
 * and scores it on save (equipoise.instruments.clasi); nothing computed here is stored.
 *
 * Every item starts empty. An area is complete when all its items are chosen or when "not assessed"
 * is ticked (which clears and disables its choices); until every area and once-per-patient item is
 * filled the line under the totals says what is still empty and no severity is shown, and while
 * an area is not assessed there is no CLASI total at all: the sums shown are only the items filled.
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
  var wordsNode = document.getElementById("clasi-status-words");
  var words = wordsNode ? JSON.parse(wordsNode.textContent) : {};
  var separator = document.documentElement.lang === "fr" ? " : " : ": ";
  var map = document.querySelector("#body-map svg");
  var activityWord = map ? map.getAttribute("data-activity-word") : "";
  var palette = {};
  if (map) {
    map.querySelectorAll("[data-level]").forEach(function (swatch) {
      palette[swatch.getAttribute("data-level")] = swatch.getAttribute("fill");
    });
  }

  function chosen(name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? parseInt(checked.value, 10) : null;
  }

  function value(name) {
    var v = chosen(name);
    return v === null ? 0 : v;
  }

  function hasItem(name) {
    return form.querySelector('input[name="' + name + '"]') !== null;
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

  function applyNotAssessed(row) {
    var tick = row.querySelector('input[name="not_assessed"]');
    var off = tick !== null && tick.checked;
    row.classList.toggle("not-assessed", off);
    row.querySelectorAll('input[type="radio"]').forEach(function (radio) {
      if (off) {
        radio.checked = false;
      }
      radio.disabled = off;
    });
    return off;
  }

  function recompute() {
    var activity = 0;
    var dyspigmentation = 0;
    var scarring = 0;
    var emptyAreas = 0;
    var emptyItems = 0;
    var notAssessed = 0;
    form.querySelectorAll("tr[data-area]").forEach(function (row) {
      var area = row.getAttribute("data-area");
      var prefix = "regions." + area + ".";
      if (applyNotAssessed(row)) {
        notAssessed += 1;
      } else {
        var names = ["erythema", "scale", "dyspigmentation", "scarring"].filter(function (item) {
          return hasItem(prefix + item);
        });
        var missing = names.filter(function (item) { return chosen(prefix + item) === null; }).length;
        if (missing === names.length) {
          emptyAreas += 1;
        } else {
          emptyItems += missing;
        }
      }
      var areaActivity = value(prefix + "erythema") + value(prefix + "scale");
      activity += areaActivity;
      dyspigmentation += value(prefix + "dyspigmentation");
      scarring += value(prefix + "scarring");
      shade(area, areaActivity);
    });
    ["mucous_membrane", "recent_hair_loss", "nonscarring_alopecia", "scarring_alopecia"].forEach(function (name) {
      if (chosen(name) === null) {
        emptyItems += 1;
      }
    });
    activity += value("mucous_membrane") + value("recent_hair_loss") + value("nonscarring_alopecia");
    var longLasting = form.querySelector('input[name="dyspigmentation_12_months_or_more"]');
    var multiplier = longLasting && longLasting.checked ? 2 : 1;
    var damage = dyspigmentation * multiplier + scarring + value("scarring_alopecia");
    document.getElementById("clasi-a-total").textContent = String(activity);
    document.getElementById("clasi-d-total").textContent = String(damage);
    var complete = emptyAreas === 0 && emptyItems === 0;
    var scorable = complete && notAssessed === 0;
    var status = document.getElementById("clasi-status");
    var text;
    if (!complete) {
      var parts = [];
      if (emptyAreas) {
        parts.push(emptyAreas + " " + words.empty_areas);
      }
      if (emptyItems) {
        parts.push(emptyItems + " " + words.empty_items);
      }
      text = words.incomplete + separator + parts.join(", ");
    } else {
      text = scorable ? words.complete_status : words.no_total_not_assessed;
    }
    if (status) {
      status.textContent = text;
      status.setAttribute("data-complete", complete ? "true" : "false");
      status.className = "clasi-status " + (scorable ? "complete" : "incomplete");
    }
    var card = document.getElementById("clasi-totals-card");
    if (card) {
      card.classList.toggle("incomplete", !scorable);
    }
    var note = document.getElementById("clasi-partial-note");
    if (note) {
      note.hidden = scorable;
    }
    document.getElementById("clasi-severity").textContent = scorable ? severity(activity) : "—";
  }

  form.addEventListener("change", recompute);
  recompute();
})();
