using System.Text;

namespace AgentHost.Plugins.Web.Tests;

/// <summary>Realistic pages: an article wrapped in the furniture news and blog sites carry.</summary>
internal static class WebPages
{
    /// <summary>
    /// A news-style article: site header and navigation, a cookie banner, ads (by class and by id), inline and external
    /// scripts, styles, a newsletter form, a share bar, related posts, comments and a footer around an article with
    /// headings, paragraphs, relative links, a list, a quote, a code block, an image, a table and emphasis.
    /// </summary>
    public const string Article = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>How Tides Work | Ocean Weekly</title>
          <meta property="og:title" content="How Tides Work">
          <link rel="stylesheet" href="/static/site.css">
          <style>.ad-slot { width: 300px } body { font-family: serif }</style>
          <script>window.dataLayer = []; var TRACKING_SECRET = "abc123"; function gtag(){dataLayer.push(arguments);}</script>
          <script src="https://ads.example.net/loader.js" async></script>
        </head>
        <body class="single-post">
          <div id="cookie-consent" class="cookie-banner">
            <p>We use cookies to improve your experience. By continuing you accept our cookie policy.</p>
            <button>Accept all</button>
          </div>
          <header class="site-header">
            <a class="logo" href="/">Ocean Weekly</a>
            <nav class="main-nav">
              <ul>
                <li><a href="/">Home</a></li>
                <li><a href="/science">Browse all sections</a></li>
                <li><a href="/subscribe">Subscribe today</a></li>
              </ul>
            </nav>
          </header>
          <div class="ad-slot ad-leaderboard">Buy cheap watches now! Limited offer, 90% off.</div>
          <div class="layout">
            <main id="content">
              <article class="post">
                <header class="entry-header">
                  <h1>How Tides Work</h1>
                  <p class="byline">By Marina Shore, 12 March 2024</p>
                </header>
                <div class="share-buttons"><a href="https://facebook.example/share">Share on Facebook</a> <a href="https://x.example/share">Share on X</a></div>
                <div class="entry-content">
                  <p>Twice a day, the sea rises and falls along most coasts. This rhythm, the tide, comes mainly from the
                  <a href="/moon">gravitational pull</a> of the Moon, with help from the Sun, and it shapes life on every shoreline.</p>
                  <h2>The Moon's Pull</h2>
                  <p>The Moon pulls hardest on the ocean nearest to it, so water bulges toward it. On the far side, the water is
                  pulled least, and a second bulge forms. As Earth turns through both bulges, most places see high water
                  <strong>twice a day</strong>, about <em>12 hours and 25 minutes</em> apart.</p>
                  <figure>
                    <img src="/img/tides.png" alt="Tide chart" width="600">
                    <figcaption>High and low water over two days in Brest.</figcaption>
                  </figure>
                  <h2>Spring and Neap Tides</h2>
                  <p>When the Sun and the Moon line up, their pulls add together. When they are at right angles, they partly cancel:</p>
                  <ul>
                    <li>Spring tides: the largest range, near new and full moon.</li>
                    <li>Neap tides: the smallest range, near the quarter moons.</li>
                  </ul>
                  <blockquote><p>The tide waits for no man, and the coast has always known it.</p></blockquote>
                  <h2>Predicting the Tide</h2>
                  <p>Harbour offices predict tides by adding up many regular waves, called constituents. A few lines of code show the idea:</p>
                  <pre><code class="language-python">height = sum(a * cos(w * t + p) for a, w, p in constituents)
        print(round(height, 2))</code></pre>
                  <table>
                    <thead><tr><th>Tide</th><th>Height</th></tr></thead>
                    <tbody>
                      <tr><td>High water</td><td>6.8 m</td></tr>
                      <tr><td>Low water</td><td>1.2 m</td></tr>
                    </tbody>
                  </table>
                  <p>Read the <a href="https://tides.example.org/guide?lang=en">full prediction guide</a> for the mathematics, and see our
                  <a href="../archive/2023/currents">article on currents</a> for what tides do offshore.</p>
                </div>
                <footer class="entry-footer">Tags: <a href="/tag/ocean">ocean</a>, <a href="/tag/moon">moon</a></footer>
              </article>
              <section class="newsletter-signup">
                <h3>Get the newsletter</h3>
                <form action="/subscribe"><input type="email" placeholder="you@example.com"><button>Sign up</button></form>
              </section>
              <div class="related-posts">
                <h3>Related stories</h3>
                <ul><li><a href="/waves">Why waves break</a></li><li><a href="/salt">Why the sea is salty</a></li></ul>
              </div>
              <section id="comments" class="comments-area">
                <h3>3 comments</h3>
                <div class="comment"><p>Great article! Check out my crypto site for free coins, it is really great and totally legit.</p></div>
              </section>
            </main>
            <aside class="sidebar">
              <div class="widget"><h3>Most read</h3><p>Ten beaches you must visit before they vanish under the rising sea this decade.</p></div>
              <div id="sponsored-box">Sponsored: the best sunscreen of the year, tested by our partners on many sunny days.</div>
            </aside>
          </div>
          <footer class="site-footer"><p>© 2024 Ocean Weekly. All rights reserved. Privacy policy, terms and imprint.</p></footer>
          <script>document.querySelectorAll('.share-buttons').forEach(function (b) { b.hidden = false; });</script>
        </body>
        </html>
        """;

    /// <summary>A page without article or main elements: the content is found by scoring alone.</summary>
    public const string DivSoup = """
        <html><head><title>Notes on Bread</title></head>
        <body>
          <div id="top"><a href="/">Home</a> | <a href="/recipes">Recipes</a> | <a href="/about">About</a> | <a href="/shop">Shop</a></div>
          <div id="wrap">
            <div class="col-left"><a href="/a">Archive</a><br><a href="/b">Baking</a><br><a href="/c">Cakes</a><br><a href="/d">Dough</a></div>
            <div class="col-main">
              <div class="txt">
                <p>Bread needs only flour, water, salt and yeast, yet every baker's loaf is different, and the reasons are worth knowing.</p>
                <p>Hydration, the ratio of water to flour, decides the crumb: wetter doughs give larger, irregular holes, while drier ones give a tight crumb.</p>
                <p>Time matters as much as the ingredients, because a long, cool fermentation develops flavour that no shortcut can imitate.</p>
              </div>
            </div>
          </div>
          <div id="bottom"><a href="/privacy">Privacy</a> | <a href="/contact">Contact</a></div>
        </body></html>
        """;

    /// <summary>A long article of <paramref name="paragraphs"/> numbered paragraphs.</summary>
    public static string Long(int paragraphs)
    {
        var html = new StringBuilder("<html><head><title>A Long Read</title></head><body><article><h1>A Long Read</h1>");
        for (var i = 1; i <= paragraphs; i++)
        {
            html.Append("<p>Paragraph ").Append(i).Append(" of the long read, with enough words, commas, and clauses to be scored as real content by the extractor.</p>\n");
        }

        return html.Append("</article></body></html>").ToString();
    }
}
