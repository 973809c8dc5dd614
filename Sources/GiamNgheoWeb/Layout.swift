import GiamNgheoCore
import GiamNgheoStorage
import Vapor

/// The page frame: Vietnamese, readable at 1366×768 and on a phone, printable on A4.
enum Layout {
    static let css = """
    *{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1c2430;background:#f5f6f8}
    header{background:#8b1c1c;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
    header a{color:#fff;text-decoration:none;font-weight:600}header .who{margin-left:auto;font-size:.9rem}
    header form{display:inline}header .lang{font-weight:400;font-size:.85rem}header button{background:transparent;border:1px solid #fff;color:#fff;border-radius:4px;padding:.15rem .5rem;cursor:pointer}
    main{max-width:1280px;margin:0 auto;padding:1rem}h1{font-size:1.35rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
    table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #d6dae0;padding:.35rem .5rem;text-align:left;vertical-align:top}
    th{background:#eef0f3;font-weight:600}tr:nth-child(even) td{background:#fafbfc}
    td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}tr.total td{font-weight:600}tr.flag td{background:#fdf0f0}.flagtext{color:#8b1c1c}
    .card{background:#fff;border:1px solid #d6dae0;border-radius:6px;padding:1rem;margin-bottom:1rem}
    .filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:1rem}.filters label{display:flex;flex-direction:column;font-size:.85rem}
    input,select,button{font:inherit;padding:.35rem .5rem;border:1px solid #aab2bd;border-radius:4px}button.primary{background:#8b1c1c;color:#fff;border-color:#8b1c1c;cursor:pointer}
    .badge{display:inline-block;padding:.05rem .45rem;border-radius:999px;font-size:.8rem;font-weight:600}
    .poor{background:#fde2e1;color:#8b1c1c}.nearPoor{background:#fff1cc;color:#7a5200}.middleIncome{background:#e3f1ff;color:#0b4f8a}.notPoor{background:#e6f4ea;color:#1e6b34}.incomplete{background:#eceff3;color:#3c4450;border:1px dashed #8a94a3}
    .unverified{background:#fff1cc;color:#7a5200;border:1px dashed #c99a00}.deprived{color:#8b1c1c;font-weight:600}
    .error{background:#fde2e1;border:1px solid #e3a3a0;padding:.75rem;border-radius:6px}a.button{display:inline-block;padding:.4rem .8rem;border-radius:4px;text-decoration:none}a.button.primary{background:#8b1c1c;color:#fff}form.inline{display:inline}button.link{background:none;border:none;padding:0;color:#0b4f8a;text-decoration:underline;cursor:pointer}.muted{color:#5b6573;font-size:.9rem}
    .scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:1rem}
    .form-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.6rem 1rem;margin-bottom:.5rem}
    .form-grid label{display:block;font-size:.85rem;margin-bottom:.15rem}.form-grid input,.form-grid select{width:100%}
    .field-error{display:block;color:#8b1c1c;font-size:.85rem;margin-top:.15rem}[aria-invalid=true]{border-color:#8b1c1c;background:#fff7f7}
    fieldset{border:1px solid #d6dae0;border-radius:4px}label.check{display:inline-block;margin-right:.6rem;font-size:.9rem}
    .current{font-weight:600}:focus-visible{outline:3px solid #1a73e8;outline-offset:1px}
    @media (max-width:640px){th,td{padding:.3rem}table{font-size:.9rem}.hide-sm{display:none}}
    @media print{header,.filters,.noprint{display:none}body{background:#fff}main{max-width:none;padding:0}@page{size:A4;margin:15mm}
    .sheet{break-after:page}.sheet:last-child{break-after:auto}.doc table{font-size:11pt}.landscape{page:wide}}
    @page wide{size:A4 landscape;margin:12mm}
    .doc{font-family:"Times New Roman",Times,serif;background:#fff;padding:1rem;margin-bottom:1rem}.center{text-align:center}
    .doc-head,.signatures{width:100%;border:none;table-layout:fixed}.doc-head td,.signatures td{border:none;text-align:center;vertical-align:top}
    .signatures td{padding-top:1rem;height:6rem}ul.plain{list-style:none;padding-left:0}
    tr.group td{background:#eef0f3;font-weight:600}.detailed-list tr.first td{border-top:2px solid #aab2bd}.detailed-list .report-table{font-size:.85rem}
    @media print{.detailed-list .report-table{font-size:9pt}.detailed-list a{color:inherit;text-decoration:none}}
    """

    /// The only script (CSP allows no inline code): print buttons, and the survey's live provisional result.
    static let script = """
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
    """

    static func page(_ req: Request, title: String, _ body: HTML) -> HTML {
        let user = req.currentUser
        let nav: HTML
        if let user {
            nav = """
            <a href="/dashboard">\(req.t("Tổng quan", "Overview"))</a>
            <a href="/households">\(req.t("Hộ gia đình", "Households"))</a>
            <a href="/reviews">\(req.t("Rà soát", "Reviews"))</a>
            <a href="/reports">\(req.t("Báo cáo", "Reports"))</a>
            <a href="/support">\(req.t("Hỗ trợ", "Support"))</a>
            <a href="/targets">\(req.t("Chỉ tiêu", "Targets"))</a>
            <a href="/whatif">\(req.t("Mô phỏng", "What-if"))</a>
            <a href="/analytics">\(req.t("Đa chiều", "MPI"))</a>
            <a href="/villages">\(req.t("Thôn, tổ", "Villages"))</a>
            <a href="/imports">\(req.t("Nhập tệp", "Import"))</a>
            \(user.role == .admin ? HTML("<a href=\"/admin/users\">\(req.t("Tài khoản", "Accounts"))</a>") : "")
            <span class="who"><a href="/account/password" title="\(req.t("Đổi mật khẩu", "Change password"))">\(user.displayName)</a> · \(req.language == .en ? user.role.english : user.role.vietnamese)</span>
            <form method="post" action="/logout"><input type="hidden" name="_csrf" value="\(req.csrfToken)"><button type="submit">\(req.t("Đăng xuất", "Log out"))</button></form>
            """
        } else { nav = "" }
        let other: HTML = req.language == .en ? "<a class=\"lang\" href=\"/lang/vi\" lang=\"vi\">Tiếng Việt</a>" : "<a class=\"lang\" href=\"/lang/en\" lang=\"en\">English</a>"
        return """
        <!doctype html>
        <html lang="\(req.language.rawValue)"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · GiamNgheo</title><style>\(raw: css)</style><script src="/app.js" defer></script></head>
        <body><header><a href="/">GiamNgheo</a>\(nav)\(other)</header><main>\(body)</main></body></html>
        """
    }

    static func categoryBadge(_ category: String, _ lang: Language = .vi) -> HTML {
        let label: String
        let en = lang == .en
        switch category {
        case "poor": label = en ? "Poor" : "Hộ nghèo"
        case "nearPoor": label = en ? "Near-poor" : "Hộ cận nghèo"
        case "middleIncome": label = en ? "Middle income" : "Mức sống trung bình"
        case HouseholdRecord.incomplete: label = en ? "Incomplete" : "Chưa đủ thông tin"
        default: label = en ? "Not poor" : "Không thuộc diện"
        }
        return "<span class=\"badge \(category)\">\(label)</span>"
    }

    static let unverifiedBadge: HTML = "<span class=\"badge unverified\" title=\"Chưa đối chiếu văn bản gốc\">chưa xác minh</span>"

    /// `0461•••••789`: enough to tell people apart on a list, not enough to misuse.
    static func maskedID(_ id: String?, reveal: Bool) -> String {
        guard let id else { return "" }
        return reveal ? id : Format.maskedID(id)
    }
}

/// Errors become a friendly Vietnamese page (or JSON for API calls); details go to the log only.
struct FriendlyErrorMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: req)
        } catch let e as ScopeError {
            switch e.kind {
            case .notFound: return try await render(req, .notFound, req.t("Không tìm thấy", "Not found"),
                                                    req.t("Không có hộ này, hoặc hộ không thuộc địa bàn của bạn.", "No such household, or it is outside your area."))
            case .forbidden: return try await render(req, .forbidden, req.t("Không có quyền", "Not allowed"),
                                                     req.t("Tài khoản của bạn không được thực hiện thao tác này trên địa bàn này.", "Your account may not do this in this area."))
            case .conflict: return try await render(req, .conflict, req.t("Dữ liệu đã thay đổi", "Changed meanwhile"),
                                                    req.t("Người khác vừa lưu hộ này. Hãy tải lại trang để xem thay đổi của họ rồi nhập lại.", "Someone else has just saved this household. Reload the page to see their change, then enter yours again."))
            case .invalid(let m): return try await render(req, .unprocessableEntity, "Dữ liệu không hợp lệ", m)
            }
        } catch let abort as any AbortError where abort.status == .seeOther || abort.status == .found || abort.status == .temporaryRedirect {
            return req.redirect(to: abort.headers.first(name: .location) ?? "/")
        } catch let abort as any AbortError {
            let message = abort.status == .notFound ? "Không tìm thấy trang." : abort.reason
            return try await render(req, abort.status, "Lỗi \(abort.status.code)", message)
        } catch {
            req.logger.report(error: error)
            return try await render(req, .internalServerError, "Đã có lỗi", "Hệ thống gặp lỗi khi xử lý yêu cầu. Lỗi đã được ghi lại; hãy thử lại sau.")
        }
    }

    func render(_ req: Request, _ status: HTTPStatus, _ title: String, _ message: String) async throws -> Response {
        if req.headers.accept.mediaTypes.contains(.json) && !req.headers.accept.mediaTypes.contains(.html) {
            let res = Response(status: status)
            try res.content.encode(["error": message])
            return res
        }
        let res = try await Layout.page(req, title: title, "<h1>\(title)</h1><p class=\"error\">\(message)</p><p><a href=\"/\">\(req.t("Về trang chính", "Back to the start page"))</a></p>").encodeResponse(for: req)
        res.status = status
        return res
    }
}
