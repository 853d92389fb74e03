// The map of public services: the communes' outlines and one marker per service.
// No tile server: everything drawn comes from this site. The list below the map gives the
// same information without JavaScript.
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("services-map");
    if (!holder || typeof L === "undefined" || holder.dataset.drawn) { return; }
    holder.dataset.drawn = "1";
    holder.closest("section").hidden = false;
    fetch(holder.dataset.src, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) { render(holder, data); });
  }
  function render(holder, data) {
    // No fade: a popup half faded in fails the contrast it has once shown.
    var map = L.map(holder, { attributionControl: true, zoomSnap: 0.25, fadeAnimation: false });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(data.attribution);
    var communes = L.geoJSON(data.communes, {
      style: function () { return { color: "#0b5e3c", weight: 1, fillColor: "#e6efe9", fillOpacity: 0.6 }; },
      onEachFeature: function (feature, layer) { layer.bindTooltip(feature.properties.name); }
    });
    // Each commune's name written at its centre, as on a printed map; the most populous
    // first, so that where two names would overlap the larger commune keeps its name.
    var names = L.layerGroup();
    var labels = [];
    data.communes.features.slice().sort(function (a, b) {
      return b.properties.population - a.properties.population;
    }).forEach(function (feature) {
      var at = feature.properties.label;
      if (!at || at[0] === null) { return; }
      var label = L.tooltip({
        permanent: true, direction: "center", className: "commune-name", interactive: false
      }).setLatLng(at).setContent(feature.properties.name);
      names.addLayer(label);
      labels.push(label);
    });
    function declutter() {
      var placed = [];
      labels.forEach(function (label) {
        var element = label.getElement();
        if (!element) { return; }
        element.style.visibility = "";
        var box = element.getBoundingClientRect();
        var clash = placed.some(function (other) {
          return box.left < other.right && other.left < box.right &&
            box.top < other.bottom && other.top < box.bottom;
        });
        if (clash) { element.style.visibility = "hidden"; } else { placed.push(box); }
      });
    }
    map.on("zoomend moveend", declutter);
    // The map needs a view before any layer is added to it.
    var bounds = communes.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds); } else { map.setView([43.5, 1.55], 11); }
    communes.addTo(map);
    names.addTo(map);
    declutter();
    data.services.forEach(function (service) {
      var marker = L.circleMarker([service.latitude, service.longitude], {
        radius: 7, color: "#07402a", weight: 2, fillColor: "#ffbf47", fillOpacity: 1
      }).addTo(map);
      var link = document.createElement("a");
      link.href = service.url;
      link.textContent = service.name;
      var popup = document.createElement("div");
      if (service.picture) {
        // The type's drawing is decorative (alt=""); a service's own picture says what it shows.
        var picture = document.createElement("img");
        picture.className = "map-picture";
        picture.src = service.picture;
        picture.alt = service.picture_alt || "";
        picture.width = 240;
        picture.height = 96;
        picture.loading = "lazy";
        popup.appendChild(picture);
      }
      popup.appendChild(link);
      if (service.type) {
        var type = document.createElement("div");
        type.textContent = service.type;
        popup.appendChild(type);
      }
      if (service.score) {
        var score = document.createElement("div");
        score.className = "map-score";
        score.textContent = service.score;
        popup.appendChild(score);
      }
      marker.bindPopup(popup);
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
