extension HTMLReporter {
    /// Colours checked for WCAG AA (4.5:1 for text; WCAG 2 relative luminance): badge text is white on #1d6b35
    /// (6.6:1), #8a4b00 (6.8:1), #a4161a (7.8:1), #5a5f66 (6.4:1), #7a0c10 (11.1:1), #1f5582 (7.8:1); highlighted
    /// text is #1b1b1b on #d5efdb (14.1:1), #ffe6a6 (14.0:1), #fbd3d3 (12.6:1), #e4e7eb (13.9:1); links #0b57a4 on
    /// white (7.2:1) and on the tinted boxes (6.5:1 or more); muted text #4a4f55 on white (8.3:1); the header's
    /// text on #14324f (11.2:1 or more). Colour is never the only cue: verdicts are words, and highlights differ
    /// by underline style (solid, dashed, double, dotted).
    public static let css = """
    :root{--ink:#1b1b1b;--muted:#4a4f55;--line:#c9ced4;--link:#0b57a4;--good:#1d6b35;--warn:#8a4b00;--bad:#a4161a;--neutral:#5a5f66;
    --good-bg:#d5efdb;--warn-bg:#ffe6a6;--bad-bg:#fbd3d3;--neutral-bg:#e4e7eb;--focus:#0b57a4}
    *{box-sizing:border-box}
    body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
    a{color:var(--link)}
    a:focus-visible,mark:focus-visible,summary:focus-visible,th button:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
    .skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5em}
    .skip:focus{left:.5em;z-index:10}
    header.top{background:#14324f;color:#fff;padding:1rem max(1.5rem,calc((100% - 72rem)/2 + 1.5rem)) .6rem}
    header.top h1{margin:0;font-size:1.4rem}
    header.top .doc{margin:.2rem 0 .4rem;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9rem;word-break:break-all;color:#e8eef5}
    header.top nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:1.2rem}
    header.top nav a{color:#fff;font-weight:600}
    main{max-width:72rem;margin:0 auto;padding:0 1.5rem 2rem}
    h2{font-size:1.3rem;margin:2rem 0 .6rem;border-bottom:2px solid var(--line);padding-bottom:.2rem}
    h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
    .card{border:1px solid var(--line);border-radius:8px;padding:0 1.2rem 1rem;margin-top:1.2rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
    .card h2{border:0}
    .score{display:flex;flex-wrap:wrap;align-items:baseline;gap:1.5rem}
    .score p{margin:0}
    .score .big{font-size:1.2rem}
    .score .num{font-size:2.6rem;font-weight:700}
    .counts{color:var(--muted)}
    dl.flags{margin:0}
    .flag{display:grid;grid-template-columns:10rem 1fr;gap:.8rem;padding:.5rem .6rem;border-left:6px solid var(--neutral);margin:.4rem 0;background:#f7f8fa}
    .flag.good{border-color:var(--good)}.flag.warn{border-color:var(--warn)}.flag.bad{border-color:var(--bad)}
    .flag dt{font-weight:700}
    .flag dd{margin:0}.flag q.said{color:var(--muted);font-size:.9rem;font-style:italic}
    dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}
    dl.facts dt{font-weight:600}
    dl.facts dd{margin:0}
    dl.facts dd.note{grid-column:2;color:var(--muted);font-size:.92rem}
    .badge{display:inline-block;padding:.05rem .5rem;border-radius:1rem;font-size:.85rem;font-weight:600;color:#fff;background:var(--neutral);white-space:nowrap}
    .badge.good{background:var(--good)}.badge.warn{background:var(--warn)}.badge.bad{background:var(--bad)}
    .risk-low{background:var(--good)}.risk-medium{background:var(--warn)}.risk-high,.risk-critical{background:var(--bad)}
    .sev-critical .badge,.badge.sev-critical{background:#7a0c10}.badge.sev-high{background:var(--bad)}.badge.sev-medium{background:var(--warn)}
    .badge.sev-low{background:#1f5582}.badge.sev-info{background:var(--neutral)}
    .legend{color:var(--muted);font-size:.92rem}
    table.elements{border-collapse:collapse;width:100%;font-size:.95rem}
    table.elements caption{text-align:left;color:var(--muted);padding:.3rem 0}
    table.elements th,table.elements td{border-bottom:1px solid var(--line);padding:.45rem .5rem;text-align:left;vertical-align:top}
    table.elements thead th{background:#eef1f4;position:sticky;top:0}
    table.elements tr.group th{background:#f7f8fa;font-size:.9rem;text-transform:uppercase;letter-spacing:.03em;color:var(--muted)}
    table.elements tbody th{font-weight:400;width:48%}
    table.elements tr.bad > th:first-child{box-shadow:inset 4px 0 var(--bad)}
    table.elements tr.warn > th:first-child{box-shadow:inset 4px 0 var(--warn)}
    table.elements tr.good > th:first-child{box-shadow:inset 4px 0 var(--good)}
    table.elements tr:target{background:#fff8d6}
    .term{display:block;font-weight:600}
    .meaning{display:block;color:var(--muted);font-size:.9rem}
    th code{font-size:.78rem;color:var(--muted)}
    .loc{white-space:nowrap;font-size:.9rem}
    .none{color:var(--muted);font-style:italic}
    ol.findings{list-style:none;padding:0;margin:0}
    .finding{border:1px solid var(--line);border-left:6px solid var(--neutral);border-radius:6px;padding:.2rem 1rem .6rem;margin:.6rem 0;break-inside:avoid}
    .finding.sev-critical{border-left-color:#7a0c10}.finding.sev-high{border-left-color:var(--bad)}.finding.sev-medium{border-left-color:var(--warn)}.finding.sev-low{border-left-color:#1f5582}
    .finding h4{margin:.6rem 0 .2rem;font-size:1rem}
    .finding .meta{margin:0;color:var(--muted);font-size:.88rem}
    .finding q{color:#2d3136;font-style:italic}
    .ask{background:#eef4fb;padding:.4rem .6rem;border-radius:4px}
    blockquote.model{margin:.4rem 0;padding:.4rem .8rem;border-left:3px solid var(--line);background:#fafbfc;white-space:pre-wrap}
    details summary{cursor:pointer;font-weight:600;color:var(--link)}
    .contract p{white-space:pre-wrap;margin:0 0 .55em}.contract p.h{font-weight:700;margin-top:1em}
    .contract{font-family:Georgia,"Times New Roman",serif;font-size:1rem;line-height:1.65;border:1px solid var(--line);border-radius:6px;padding:1rem 1.2rem;max-width:52rem;background:#fff}
    mark.hl{color:var(--ink);padding:0 .05em;border-radius:2px;cursor:pointer;border-bottom:2px solid}
    mark.good{background:var(--good-bg);border-bottom-color:var(--good)}
    mark.warn{background:var(--warn-bg);border-bottom:2px dashed var(--warn)}
    mark.bad{background:var(--bad-bg);border-bottom:3px double var(--bad)}
    mark.neutral{background:var(--neutral-bg);border-bottom:2px dotted var(--neutral)}
    mark.overlap{box-shadow:inset 0 -.35em rgba(20,50,79,.12)}
    mark.flash{outline:3px solid var(--focus)}
    mark[data-tip]{position:relative}
    mark.tipping::after{content:attr(data-tip);position:absolute;left:0;top:1.6em;z-index:5;white-space:pre-wrap;width:max-content;max-width:28rem;
      background:#14324f;color:#fff;font:13px/1.4 system-ui,sans-serif;padding:.4rem .6rem;border-radius:4px}
    .page{display:block;text-align:right;color:var(--muted);font:600 .8rem system-ui,sans-serif;border-top:1px dashed var(--line);margin-top:.4rem}
    .page::before{content:attr(data-page)}
    .page:first-child{border-top:0;margin-top:0}
    .toc ul{columns:2;font-size:.9rem}
    footer{max-width:72rem;margin:0 auto;padding:1rem 1.5rem 2rem;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line)}
    th button{font:inherit;font-weight:700;background:none;border:0;padding:0;cursor:pointer;color:inherit}
    @media (max-width:40rem){.flag{grid-template-columns:1fr}}
    @media print{
      header.top{background:none;color:#000;padding:0}header.top nav,.skip{display:none}header.top .doc{color:#000}
      body{font-size:11pt}a{color:#000;text-decoration:none}
      *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
      details>*{display:block}details summary{color:#000}
      .card,.finding{box-shadow:none}table.elements thead th{position:static}
      .contract{border:0;padding:0;max-width:none}mark.tipping::after{display:none}
      #contract{break-before:page}
    }
    """

    /// Navigation only: a link to a highlight focuses it; Enter (or a click) on a highlight goes back to its
    /// element; focus and hover show the highlight's tip. Without script the links and titles still work.
    static let script = """
    (function(){
      function focusHash(){
        var id=decodeURIComponent(location.hash.slice(1)); if(!id) return;
        var t=document.getElementById(id); if(!t) return;
        if(t.tagName==='MARK'||t.classList.contains('ev-anchor')){t.focus({preventScroll:true});t.classList.add('flash');setTimeout(function(){t.classList.remove('flash')},1600);}
        else if(t.tagName==='TR'){var a=t.querySelector('a,th');if(a){if(!a.hasAttribute('tabindex')&&a.tagName!=='A')a.setAttribute('tabindex','-1');a.focus({preventScroll:true});}}
      }
      window.addEventListener('hashchange',focusHash);
      document.addEventListener('DOMContentLoaded',focusHash);
      document.querySelectorAll('mark.hl').forEach(function(m){
        m.setAttribute('data-tip',m.getAttribute('title')||'');
        function show(){m.classList.add('tipping')} function hide(){m.classList.remove('tipping')}
        m.addEventListener('focus',show);m.addEventListener('blur',hide);
        m.addEventListener('mouseenter',function(){m.removeAttribute('title');show()});
        m.addEventListener('mouseleave',function(){m.setAttribute('title',m.getAttribute('data-tip'));hide()});
        function back(){var e=m.getAttribute('data-el');if(e&&document.getElementById('el-'+e))location.hash='el-'+e;}
        m.addEventListener('click',back);
        m.addEventListener('keydown',function(ev){if(ev.key==='Enter'||ev.key===' '){ev.preventDefault();back();}});
      });
    })();
    """
}
