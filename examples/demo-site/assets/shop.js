/* Demo shop behaviour: cart, search, sign-in, checkout, the loan calculator and "Chat with us". Plain ES5,
   no build.
   Business events come from the DSL (app/dsl/domain-model.xml) and a few explicit _gt.push calls. */
(function () {
  'use strict';
  // always go through window._gt: the tracker replaces the queue array with an object when it loads
  function track(command) { (window._gt = window._gt || []).push(command); }
  var root = document.body.getAttribute('data-root') || '';
  var PRODUCTS = [
    { sku: 'tv', name: 'Sony Bravia JVB72', price: 1000 },
    { sku: 'laptop', name: 'Lumen Book 14', price: 1299 },
    { sku: 'headphones', name: 'Quiet One ANC', price: 249 }
  ];

  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function save(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
  function $(id) { return document.getElementById(id); }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }

  function renderCartCount() {
    var count = $('cart-count');
    if (count) count.textContent = String(load('demo_cart', []).length);
  }

  function renderAccount() {
    var user = load('demo_user', null);
    var account = $('account');
    if (!account || !user) return;
    account.innerHTML = 'Hi ' + esc(user.firstName || user.userId) + ' <button id="signout-button">Sign out</button>';
    $('signout-button').onclick = function () {
      // the 8.1 command form, still supported
      track(['sendSignOut', { userId: user.userId }]);
      localStorage.removeItem('demo_user');
      location.href = root + 'index.html';
    };
  }

  document.addEventListener('click', function (e) {
    var button = e.target.closest && e.target.closest('button.add-to-cart');
    if (!button) return;
    var cart = load('demo_cart', []);
    cart.push({ sku: button.getAttribute('data-sku'), name: button.getAttribute('data-name'),
      price: Number(button.getAttribute('data-price')) });
    save('demo_cart', cart);
    renderCartCount();
  });

  function renderCart() {
    var list = $('cart');
    if (!list) return;
    var cart = load('demo_cart', []);
    var total = 0;
    list.innerHTML = '';
    cart.forEach(function (item) {
      total += item.price;
      var li = document.createElement('li');
      li.className = 'item';
      li.textContent = item.name + ' — $' + item.price;
      list.appendChild(li);
    });
    $('cart-total').textContent = String(total);
  }

  function setupCheckout() {
    var form = $('checkout-form');
    if (!form) return;
    form.onsubmit = function (e) {
      e.preventDefault();
      var cart = load('demo_cart', []);
      var total = cart.reduce(function (sum, item) { return sum + item.price; }, 0);
      track(['event', 'OrderPlaced', { data: { total: total, items: cart.length } }]);
      save('demo_cart', []);
      renderCartCount();
      form.hidden = true;
      $('checkout-done').hidden = false;
    };
  }

  function search(query, push) {
    var results = $('search-results');
    var q = query.toLowerCase();
    results.innerHTML = '';
    PRODUCTS.filter(function (p) { return q && p.name.toLowerCase().indexOf(q) >= 0; }).forEach(function (p) {
      var li = document.createElement('li');
      li.innerHTML = '<a href="products/' + p.sku + '.html">' + esc(p.name) + '</a>';
      results.appendChild(li);
    });
    if (!results.children.length && q) results.innerHTML = '<li>No results</li>';
    // results are a new "page" of the single-page search: the tracker sees PageExited + PageEntered
    if (push) history.pushState({ q: query }, '', 'search.html?q=' + encodeURIComponent(query));
  }

  function setupSearch() {
    var form = $('search-form');
    if (!form) return;
    var input = $('search-input');
    form.onsubmit = function (e) { e.preventDefault(); search(input.value, true); };
    $('search-button').onclick = function () { search(input.value, true); };
    var initial = /[?&]q=([^&]*)/.exec(location.search);
    if (initial) search((input.value = decodeURIComponent(initial[1])), false);
    window.addEventListener('popstate', function () {
      var q = /[?&]q=([^&]*)/.exec(location.search);
      search((input.value = q ? decodeURIComponent(q[1]) : ''), false);
    });
  }

  function setupSignIn() {
    var form = $('signin-form');
    if (!form) return;
    form.onsubmit = function (e) {
      e.preventDefault();
      var user = { userId: $('signin-email').value, firstName: $('signin-first').value,
        lastName: $('signin-last').value, emailAddress: $('signin-email').value };
      save('demo_user', user);
      // the 8.5 form; the tracker sends it as the SYSTEM SignIn event
      track(['event', 'SignIn', { data: user }]);
      location.href = root + 'index.html';
    };
  }

  function setupLoans() {
    var amount = $('loan-amount');
    if (!amount) return;
    var term = $('loan-term');
    function update() {
      var monthlyRate = 0.045 / 12;
      var n = Number(term.value) * 12;
      var payment = (Number(amount.value) * monthlyRate) / (1 - Math.pow(1 + monthlyRate, -n));
      $('loan-payment').textContent = payment.toFixed(2);
    }
    amount.onchange = term.onchange = update;
    update();
    $('apply-button').onclick = function () { $('loan-applied').hidden = false; };
  }

  function setupChat() {
    var button = $('chat-button');
    if (!button) return;
    // a reactive chat (engagement spec §9): the tracker loads the chat launcher and widget lazily
    button.onclick = function () { track(['engage', { channel: 'chat', queue: 'default' }]); };
  }

  renderCartCount();
  renderAccount();
  renderCart();
  setupCheckout();
  setupSearch();
  setupSignIn();
  setupLoans();
  setupChat();
})();
