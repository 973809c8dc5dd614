// The only script (the CSP allows no inline code): print buttons, progress pages, and the survey's live provisional result.
document.addEventListener('click',function(e){var b=e.target.closest('[data-print]');if(b){e.preventDefault();window.print();}});
document.addEventListener('DOMContentLoaded',function(){
  var p=document.querySelector('[data-progress]');if(!p)return;
  (function poll(){fetch(p.getAttribute('data-progress'),{credentials:'same-origin'}).then(function(r){return r.json()}).then(function(j){
    if(j.done==='true'){location.reload();return;}
    p.querySelector('progress').value=+j.percent;p.querySelector('[data-rows]').textContent=j.rows;
    p.querySelector('[data-phase]').textContent=j.phase;p.querySelector('[data-left]').textContent=j.left;setTimeout(poll,1000);
  }).catch(function(){setTimeout(poll,3000)});})();
});
document.addEventListener('DOMContentLoaded',function(){
  var f=document.querySelector('form[data-preview]');if(!f)return;var box=document.getElementById('provisional'),t;
  f.addEventListener('change',function(){clearTimeout(t);t=setTimeout(function(){
    fetch(f.getAttribute('data-preview'),{method:'POST',body:new URLSearchParams(new FormData(f)),credentials:'same-origin'})
      .then(function(r){return r.ok?r.text():null}).then(function(s){if(s!==null&&box){box.innerHTML=s;}});},150);});
});
