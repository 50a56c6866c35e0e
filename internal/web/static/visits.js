// Visit drafts that survive a weak signal. The visit form keeps its draft in localStorage while it
// is filled in; on submit it posts the form, and if the connection is gone the draft goes to an
// outbox that is sent to /api/v1/visits as soon as the connection returns (on this page or any
// later one that loads this script). Each draft carries the client UUID the server put in the form,
// so a draft sent twice is still one visit. Without JavaScript the form is a plain POST.
"use strict";
(function () {
  var OUTBOX = "linli.visits.outbox";
  var DRAFT = "linli.visits.draft.";

  function load(key, fallback) {
    try {
      var v = window.localStorage.getItem(key);
      return v ? JSON.parse(v) : fallback;
    } catch (e) {
      return fallback;
    }
  }
  function save(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
      return true;
    } catch (e) {
      return false;
    }
  }
  function drop(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (e) {
      /* storage unavailable: nothing kept */
    }
  }

  function status(text) {
    var el = document.getElementById("visits-outbox");
    if (!el) {
      return;
    }
    el.textContent = text;
    el.hidden = !text;
  }

  function showOutbox() {
    var box = load(OUTBOX, []);
    if (box.length) {
      status("有 " + box.length + " 条记录保存在本机，联网后将自动提交。");
    } else {
      status("");
    }
  }

  // body turns the form's fields into the API's JSON (photos cannot travel in the outbox).
  function body(form) {
    var f = form.elements;
    var met = [];
    Array.prototype.forEach.call(form.querySelectorAll("input[name=met]:checked"), function (el) {
      met.push(parseInt(el.value, 10));
    });
    var method = form.querySelector("input[name=method]:checked");
    var b = {
      client_uuid: f.client_uuid.value,
      household_id: parseInt(f.household_id.value, 10),
      met: met,
      method: method ? method.value : "home",
      visited_on: f.visited_on.value,
      situation: f.situation.value,
      needs: f.needs.value,
      follow_up_on: f.follow_up_on.value
    };
    if (f.to_case && f.to_case.checked && f.need_category_id.value) {
      b.need_category_id = parseInt(f.need_category_id.value, 10);
    }
    return b;
  }

  function restore(form, draft) {
    var f = form.elements;
    ["situation", "needs", "visited_on", "follow_up_on"].forEach(function (k) {
      if (draft[k] && f[k] && !f[k].value) {
        f[k].value = draft[k];
      }
    });
    if (draft.method) {
      var m = form.querySelector("input[name=method][value=" + draft.method + "]");
      if (m) {
        m.checked = true;
      }
    }
    if (draft.met && draft.met.length) {
      Array.prototype.forEach.call(form.querySelectorAll("input[name=met]"), function (el) {
        el.checked = draft.met.indexOf(parseInt(el.value, 10)) >= 0;
      });
    }
  }

  // send posts one queued draft; it resolves true when the server has it (new or already there)
  // or refused it for good, false when the connection failed and it should stay queued.
  function send(item) {
    return window.fetch("/api/v1/visits", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(item)
    }).then(function (res) {
      if (res.status >= 500 || res.status === 401) {
        return false;
      }
      return true;
    }, function () {
      return false;
    });
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) {
      return;
    }
    var box = load(OUTBOX, []);
    if (!box.length) {
      return;
    }
    flushing = true;
    var item = box[0];
    send(item).then(function (done) {
      flushing = false;
      if (!done) {
        showOutbox();
        return;
      }
      var rest = load(OUTBOX, []).filter(function (x) {
        return x.client_uuid !== item.client_uuid;
      });
      save(OUTBOX, rest);
      var d = load(DRAFT + item.household_id, null);
      if (d && d.client_uuid === item.client_uuid) {
        drop(DRAFT + item.household_id);
      }
      if (rest.length) {
        flush();
      } else {
        status("本机保存的记录已全部提交。");
      }
    });
  }

  function setupForm(form) {
    var key = DRAFT + form.elements.household_id.value;
    var note = document.getElementById("draft-note");
    var draft = load(key, null);
    if (draft) {
      if (draft.client_uuid) {
        form.elements.client_uuid.value = draft.client_uuid;
      }
      restore(form, draft);
    }
    form.addEventListener("input", function () {
      if (save(key, body(form)) && note) {
        note.hidden = false;
      }
    });
    function queue() {
      var box = load(OUTBOX, []).filter(function (x) {
        return x.client_uuid !== form.elements.client_uuid.value;
      });
      box.push(body(form));
      save(OUTBOX, box);
      var photos = form.elements.photos && form.elements.photos.files.length;
      status("网络不通，记录已保存在本机，联网后将自动提交" + (photos ? "（照片需联网后重新上传）" : "") + "。");
      window.scrollTo(0, 0);
    }
    var sending = false;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (sending) {
        return;
      }
      save(key, body(form));
      if (!navigator.onLine) {
        queue();
        return;
      }
      sending = true;
      window.fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" }).then(function (res) {
        sending = false;
        if (res.ok && res.redirected) {
          drop(key);
          window.location.href = res.url;
          return;
        }
        form.submit(); // let the server's answer (the form with its messages) show the ordinary way
      }, function () {
        sending = false;
        queue();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("visit-form");
    if (form) {
      setupForm(form);
    }
    // A saved visit's page: its draft is done.
    var done = document.querySelector("[data-saved-uuid]");
    if (done) {
      var k = DRAFT + done.getAttribute("data-saved-household");
      var d = load(k, null);
      if (d && d.client_uuid === done.getAttribute("data-saved-uuid")) {
        drop(k);
      }
    }
    showOutbox();
    flush();
  });
  window.addEventListener("online", flush);
})();
