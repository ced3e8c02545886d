# ruff: noqa: E501  (one line per route keeps the table readable)
"""The role × route matrix: every route of app.url_map, with the answer each role gets.

ROUTES is plain data, one line per (method, rule, concrete path): the expected answers of
anonymous, learner, trainer, unit manager (of A, the learner's upper union) and province
admin, separated by spaces. `login` is a redirect to the sign-in page, `302` any other
redirect, a number the status code. POSTs are sent with an empty form (the CSRF test is
test_csrf.py). A rule may have extra lines for objects outside the manager's scope
({outsider}: an officer of B1, {other_unit}: union B).

Adding a route: add its line here (the first test fails and lists what is missing).
"""

from __future__ import annotations

import pytest

from tests.security.conftest import ROLES

# fmt: off
ROUTES = [
    ("GET", "/", "/", "200 302 302 302 302"),  # auth.login
    ("POST", "/", "/", "200 302 302 302 302"),  # auth.login
    ("GET", "/bai-lam/<int:attempt_id>", "/bai-lam/{attempt}", "login 302 404 404 404"),  # quizzes.attempt
    ("POST", "/bai-lam/<int:attempt_id>", "/bai-lam/{attempt}", "login 302 404 404 404"),  # quizzes.submit
    ("GET", "/bai-lam/<int:attempt_id>/ket-qua", "/bai-lam/{attempt}/ket-qua", "login 200 404 404 404"),  # quizzes.review
    ("GET", "/bang-dieu-khien", "/bang-dieu-khien", "login 200 200 200 200"),  # courses.dashboard
    ("GET", "/bao-cao/bao-phu", "/bao-cao/bao-phu", "login 403 403 200 200"),  # reports.coverage
    ("GET", "/bao-cao/bao-phu/<int:unit_id>", "/bao-cao/bao-phu/{unit}", "login 403 403 200 200"),  # reports.coverage
    ("GET", "/bao-cao/bao-phu/<int:unit_id>/can-bo", "/bao-cao/bao-phu/{unit}/can-bo", "login 403 403 200 200"),  # reports.officers
    ("GET", "/bao-cao/dinh-ky", "/bao-cao/dinh-ky", "login 403 403 200 200"),  # reports.periodic_report
    ("GET", "/bao-cao/dinh-ky/<int:unit_id>", "/bao-cao/dinh-ky/{unit}", "login 403 403 200 200"),  # reports.periodic_report
    ("GET", "/bao-cao/dinh-ky/<int:unit_id>/tai-ve.<fmt>", "/bao-cao/dinh-ky/{unit}/tai-ve.xlsx", "login 403 403 200 200"),  # reports.periodic_download
    ("GET", "/cham-bai", "/cham-bai", "login 403 200 403 200"),  # quizzes.grading_list
    ("GET", "/cham-bai/<int:attempt_id>", "/cham-bai/{attempt}", "login 403 200 403 200"),  # quizzes.grade
    ("POST", "/cham-bai/<int:attempt_id>", "/cham-bai/{attempt}", "login 403 302 403 302"),  # quizzes.grade
    ("GET", "/chung-chi/<int:record_id>.pdf", "/chung-chi/{record}.pdf", "login 200 404 200 200"),  # certificates.download
    ("POST", "/dang-xuat", "/dang-xuat", "login login login login login"),  # auth.logout
    ("GET", "/don-vi/can-bo", "/don-vi/can-bo", "login 403 403 200 200"),  # org.roster_list
    ("GET", "/don-vi/can-bo/<int:user_id>", "/don-vi/can-bo/{officer}", "login 403 403 200 200"),  # org.officer
    ("POST", "/don-vi/can-bo/<int:user_id>", "/don-vi/can-bo/{officer}", "login 403 403 422 422"),  # org.officer
    ("POST", "/don-vi/can-bo/<int:user_id>/kich-hoat", "/don-vi/can-bo/{officer}/kich-hoat", "login 403 403 302 302"),  # org.activate
    ("POST", "/don-vi/can-bo/<int:user_id>/nghi", "/don-vi/can-bo/{officer}/nghi", "login 403 403 302 302"),  # org.deactivate
    ("GET", "/don-vi/can-bo/mau-danh-sach-can-bo.xlsx", "/don-vi/can-bo/mau-danh-sach-can-bo.xlsx", "login 403 403 200 200"),  # org.roster_template
    ("GET", "/don-vi/can-bo/nhap", "/don-vi/can-bo/nhap", "login 403 403 200 200"),  # org.import_upload
    ("POST", "/don-vi/can-bo/nhap", "/don-vi/can-bo/nhap", "login 403 403 422 422"),  # org.import_upload
    ("GET", "/don-vi/can-bo/nhap/<token>", "/don-vi/can-bo/nhap/{token}", "login 403 403 404 404"),  # org.import_preview
    ("POST", "/don-vi/can-bo/nhap/<token>", "/don-vi/can-bo/nhap/{token}", "login 403 403 404 404"),  # org.import_preview
    ("GET", "/don-vi/can-bo/nhap/<token>/ket-qua", "/don-vi/can-bo/nhap/{token}/ket-qua", "login 403 403 404 404"),  # org.import_job
    ("POST", "/don-vi/can-bo/nhap/<token>/thu-lai", "/don-vi/can-bo/nhap/{token}/thu-lai", "login 403 403 404 404"),  # org.import_retry
    ("GET", "/don-vi/can-bo/nhap/<token>/tien-do", "/don-vi/can-bo/nhap/{token}/tien-do", "login 403 403 404 404"),  # org.import_job_progress
    ("GET", "/ke-hoach/", "/ke-hoach/", "login 403 403 403 200"),  # plan.index
    ("POST", "/ke-hoach/", "/ke-hoach/", "login 403 403 403 200"),  # plan.index
    ("GET", "/khoa-hoc/<slug>", "/khoa-hoc/{slug}", "login 200 200 200 200"),  # courses.course
    ("GET", "/khoa-hoc/<slug>/bai/<int:position>", "/khoa-hoc/{slug}/bai/{position}", "login 200 200 200 200"),  # courses.lesson
    ("POST", "/khoa-hoc/<slug>/bai/<int:position>/hoan-thanh", "/khoa-hoc/{slug}/bai/{position}/hoan-thanh", "login 302 302 302 302"),  # courses.mark_done
    ("GET", "/khoa-hoc/<slug>/kiem-tra", "/khoa-hoc/{slug}/kiem-tra", "login 200 200 200 200"),  # quizzes.quiz
    ("POST", "/khoa-hoc/<slug>/kiem-tra", "/khoa-hoc/{slug}/kiem-tra", "login 302 302 302 302"),  # quizzes.start
    ("GET", "/khoa-hoc/<slug>/thong-ke", "/khoa-hoc/{slug}/thong-ke", "login 403 200 403 200"),  # quizzes.statistics
    ("GET", "/lop-tap-huan", "/lop-tap-huan", "login 403 200 403 200"),  # progress.class_list
    ("GET", "/lop-tap-huan/<int:class_id>", "/lop-tap-huan/{klass}", "login 403 200 403 200"),  # progress.class_detail
    ("POST", "/lop-tap-huan/<int:class_id>/tai-len", "/lop-tap-huan/{klass}/tai-len", "login 403 422 403 422"),  # progress.upload_sheet
    ("POST", "/lop-tap-huan/<int:class_id>/them", "/lop-tap-huan/{klass}/them", "login 403 302 403 302"),  # progress.add_attendees
    ("POST", "/lop-tap-huan/<int:class_id>/xoa/<int:user_id>", "/lop-tap-huan/{klass}/xoa/{officer}", "login 403 302 403 302"),  # progress.remove_attendee
    ("GET", "/lop-tap-huan/moi", "/lop-tap-huan/moi", "login 403 200 403 200"),  # progress.class_new
    ("POST", "/lop-tap-huan/moi", "/lop-tap-huan/moi", "login 403 422 403 422"),  # progress.class_new
    ("GET", "/ngan-hang/", "/ngan-hang/", "login 403 200 403 200"),  # bank.courses
    ("GET", "/ngan-hang/<slug>", "/ngan-hang/{slug}", "login 403 200 403 200"),  # bank.index
    ("POST", "/ngan-hang/<slug>/nhap", "/ngan-hang/{slug}/nhap", "login 403 422 403 422"),  # bank.upload
    ("GET", "/ngan-hang/<slug>/nhap/<token>", "/ngan-hang/{slug}/nhap/{token}", "login 403 404 403 404"),  # bank.job
    ("POST", "/ngan-hang/<slug>/nhap/<token>", "/ngan-hang/{slug}/nhap/{token}", "login 403 404 403 404"),  # bank.confirm
    ("GET", "/ngan-hang/<slug>/nhap/<token>/tien-do", "/ngan-hang/{slug}/nhap/{token}/tien-do", "login 403 404 403 404"),  # bank.job_progress
    ("POST", "/ngan-hang/<slug>/nhap/<token>/tiep-tuc", "/ngan-hang/{slug}/nhap/{token}/tiep-tuc", "login 403 404 403 404"),  # bank.resume
    ("GET", "/ngan-hang/<slug>/xuat/<fmt>", "/ngan-hang/{slug}/xuat/xlsx", "login 403 200 403 200"),  # bank.export
    ("GET", "/soan-thao/", "/soan-thao/", "login 403 200 403 200"),  # authoring.index
    ("GET", "/soan-thao/khoa-hoc/<slug>", "/soan-thao/khoa-hoc/{slug}", "login 403 200 403 200"),  # authoring.course
    ("GET", "/soan-thao/khoa-hoc/<slug>/bai-moi", "/soan-thao/khoa-hoc/{slug}/bai-moi", "login 403 200 403 200"),  # authoring.new_lesson
    ("POST", "/soan-thao/khoa-hoc/<slug>/bai-moi", "/soan-thao/khoa-hoc/{slug}/bai-moi", "login 403 200 403 200"),  # authoring.new_lesson
    ("POST", "/soan-thao/khoa-hoc/<slug>/bai-moi/tu-dong-luu", "/soan-thao/khoa-hoc/{slug}/bai-moi/tu-dong-luu", "login 403 200 403 200"),  # authoring.autosave_new_lesson
    ("GET", "/soan-thao/khoa-hoc/<slug>/bai/<lesson_slug>", "/soan-thao/khoa-hoc/{slug}/bai/{lesson_slug}", "login 403 200 403 200"),  # authoring.edit_lesson
    ("POST", "/soan-thao/khoa-hoc/<slug>/bai/<lesson_slug>", "/soan-thao/khoa-hoc/{slug}/bai/{lesson_slug}", "login 403 200 403 200"),  # authoring.edit_lesson
    ("POST", "/soan-thao/khoa-hoc/<slug>/bai/<lesson_slug>/an", "/soan-thao/khoa-hoc/{slug}/bai/{lesson_slug}/an", "login 403 302 403 302"),  # authoring.hide_lesson
    ("POST", "/soan-thao/khoa-hoc/<slug>/bai/<lesson_slug>/bo-nhap", "/soan-thao/khoa-hoc/{slug}/bai/{lesson_slug}/bo-nhap", "login 403 302 403 302"),  # authoring.discard_lesson_draft
    ("POST", "/soan-thao/khoa-hoc/<slug>/bai/<lesson_slug>/di-chuyen", "/soan-thao/khoa-hoc/{slug}/bai/{lesson_slug}/di-chuyen", "login 403 302 403 302"),  # authoring.move_lesson
    ("POST", "/soan-thao/khoa-hoc/<slug>/bai/<lesson_slug>/tu-dong-luu", "/soan-thao/khoa-hoc/{slug}/bai/{lesson_slug}/tu-dong-luu", "login 403 200 403 200"),  # authoring.autosave_lesson
    ("POST", "/soan-thao/khoa-hoc/<slug>/bo-nhap-cau-hoi/<path:key>", "/soan-thao/khoa-hoc/{slug}/bo-nhap-cau-hoi/{key}", "login 403 302 403 302"),  # authoring.discard_question_draft
    ("GET", "/soan-thao/khoa-hoc/<slug>/cau-hoi-moi", "/soan-thao/khoa-hoc/{slug}/cau-hoi-moi", "login 403 200 403 200"),  # authoring.new_question
    ("POST", "/soan-thao/khoa-hoc/<slug>/cau-hoi-moi", "/soan-thao/khoa-hoc/{slug}/cau-hoi-moi", "login 403 422 403 422"),  # authoring.new_question
    ("GET", "/soan-thao/khoa-hoc/<slug>/cau-hoi/<path:key>", "/soan-thao/khoa-hoc/{slug}/cau-hoi/{key}", "login 403 200 403 200"),  # authoring.edit_question
    ("POST", "/soan-thao/khoa-hoc/<slug>/cau-hoi/<path:key>", "/soan-thao/khoa-hoc/{slug}/cau-hoi/{key}", "login 403 422 403 422"),  # authoring.edit_question
    ("GET", "/soan-thao/khoa-hoc/<slug>/phien-ban", "/soan-thao/khoa-hoc/{slug}/phien-ban", "login 403 200 403 200"),  # authoring.versions_page
    ("GET", "/soan-thao/khoa-hoc/<slug>/thong-tin", "/soan-thao/khoa-hoc/{slug}/thong-tin", "login 403 200 403 200"),  # authoring.edit_course
    ("POST", "/soan-thao/khoa-hoc/<slug>/thong-tin", "/soan-thao/khoa-hoc/{slug}/thong-tin", "login 403 200 403 200"),  # authoring.edit_course
    ("GET", "/soan-thao/khoa-hoc/<slug>/xuat-ban", "/soan-thao/khoa-hoc/{slug}/xuat-ban", "login 403 200 403 200"),  # authoring.publish
    ("POST", "/soan-thao/khoa-hoc/<slug>/xuat-ban", "/soan-thao/khoa-hoc/{slug}/xuat-ban", "login 403 302 403 302"),  # authoring.publish
    ("GET", "/soan-thao/khoa-hoc/moi", "/soan-thao/khoa-hoc/moi", "login 403 200 403 200"),  # authoring.new_course
    ("POST", "/soan-thao/khoa-hoc/moi", "/soan-thao/khoa-hoc/moi", "login 403 200 403 200"),  # authoring.new_course
    ("POST", "/soan-thao/xem-truoc", "/soan-thao/xem-truoc", "login 403 200 403 200"),  # authoring.preview
    # accounts: activation and reset pages are public (the secret in the link is the key); a bad
    # link is 404 to everyone; changing one's password needs sign-in
    ("GET", "/kich-hoat", "/kich-hoat", "200 200 200 200 200"),  # auth.activate_code
    ("POST", "/kich-hoat", "/kich-hoat", "422 422 422 422 422"),  # auth.activate_code
    ("GET", "/kich-hoat/<token>", "/kich-hoat/{invite}", "200 200 200 200 200"),  # auth.activate_link
    ("POST", "/kich-hoat/<token>", "/kich-hoat/{invite}", "422 422 422 422 422"),  # auth.activate_link
    ("GET", "/dat-lai-mat-khau/<token>", "/dat-lai-mat-khau/{reset}", "200 200 200 200 200"),  # auth.reset
    ("POST", "/dat-lai-mat-khau/<token>", "/dat-lai-mat-khau/{reset}", "422 422 422 422 422"),  # auth.reset
    ("GET", "/quen-mat-khau", "/quen-mat-khau", "200 200 200 200 200"),  # auth.forgot
    ("POST", "/quen-mat-khau", "/quen-mat-khau", "422 422 422 422 422"),  # auth.forgot
    ("GET", "/doi-mat-khau", "/doi-mat-khau", "login 200 200 200 200"),  # auth.change_password
    ("POST", "/doi-mat-khau", "/doi-mat-khau", "login 422 422 422 422"),  # auth.change_password
    # attempts: only their owner saves and sees the summary (others: not found)
    ("GET", "/bai-lam/<int:attempt_id>/nop", "/bai-lam/{open_attempt}/nop", "login 200 404 404 404"),  # quizzes.summary
    ("POST", "/bai-lam/<int:attempt_id>/luu", "/bai-lam/{open_attempt}/luu", "login 302 404 404 404"),  # quizzes.save
    # activation by managers: an empty form names no unit, so none in scope (404); others: 403
    ("POST", "/don-vi/can-bo/kich-hoat/moi", "/don-vi/can-bo/kich-hoat/moi", "login 403 403 404 404"),  # org.invite_bulk
    ("POST", "/don-vi/can-bo/kich-hoat/phieu", "/don-vi/can-bo/kich-hoat/phieu", "login 403 403 404 404"),  # org.activation_sheet
    ("POST", "/don-vi/can-bo/<int:user_id>/gui-loi-moi", "/don-vi/can-bo/{officer}/gui-loi-moi", "login 403 403 302 302"),  # org.reissue_invite
    ("POST", "/don-vi/can-bo/<int:user_id>/phieu-kich-hoat", "/don-vi/can-bo/{officer}/phieu-kich-hoat", "login 403 403 200 200"),  # org.reissue_code
    # role grants: managers' (an empty grant form: 422); one's own grant cannot be revoked (403);
    # the admin's 403 on the trainer's grant: the manager revoked it just before (same world)
    ("POST", "/don-vi/can-bo/<int:user_id>/vai-tro", "/don-vi/can-bo/{officer}/vai-tro", "login 403 403 422 422"),  # org.grant_role
    ("POST", "/don-vi/can-bo/<int:user_id>/vai-tro/<int:grant_id>/thu-hoi", "/don-vi/can-bo/{trainer}/vai-tro/{trainer_grant}/thu-hoi", "login 403 403 302 403"),  # org.revoke_role
    ("POST", "/don-vi/can-bo/<int:user_id>/vai-tro/<int:grant_id>/thu-hoi", "/don-vi/can-bo/{manager}/vai-tro/{manager_grant}/thu-hoi", "login 403 403 403 302"),  # org.revoke_role
    ("POST", "/don-vi/can-bo/<int:user_id>/vai-tro/<int:grant_id>/thu-hoi", "/don-vi/can-bo/{officer}/vai-tro/{trainer_grant}/thu-hoi", "login 403 403 404 404"),  # org.revoke_role
    # the union tree: managers' and the admin's; a manager sees his own unit (A) but changes only
    # units strictly below it (A1); empty change forms are 422
    ("GET", "/don-vi/cay/", "/don-vi/cay/", "login 403 403 200 200"),  # tree.index
    ("POST", "/don-vi/cay/them", "/don-vi/cay/them", "login 403 403 422 422"),  # tree.create
    ("GET", "/don-vi/cay/<int:unit_id>", "/don-vi/cay/{unit}", "login 403 403 200 200"),  # tree.unit
    ("POST", "/don-vi/cay/<int:unit_id>/doi-ten", "/don-vi/cay/{unit}/doi-ten", "login 403 403 403 422"),  # tree.rename
    ("POST", "/don-vi/cay/<int:unit_id>/doi-ten", "/don-vi/cay/{sub_unit}/doi-ten", "login 403 403 422 422"),  # tree.rename
    ("POST", "/don-vi/cay/<int:unit_id>/chuyen", "/don-vi/cay/{unit}/chuyen", "login 403 403 403 422"),  # tree.move
    ("POST", "/don-vi/cay/<int:unit_id>/chuyen", "/don-vi/cay/{sub_unit}/chuyen", "login 403 403 422 422"),  # tree.move
    ("POST", "/don-vi/cay/<int:unit_id>/sap-nhap", "/don-vi/cay/{unit}/sap-nhap", "login 403 403 403 422"),  # tree.merge
    ("POST", "/don-vi/cay/<int:unit_id>/sap-nhap", "/don-vi/cay/{sub_unit}/sap-nhap", "login 403 403 422 422"),  # tree.merge
    ("POST", "/don-vi/cay/<int:unit_id>/dong", "/don-vi/cay/{unit}/dong", "login 403 403 403 422"),  # tree.close
    ("POST", "/don-vi/cay/<int:unit_id>/dong", "/don-vi/cay/{sub_unit}/dong", "login 403 403 422 422"),  # tree.close
    ("GET", "/don-vi/cay/mau-cay-don-vi.xlsx", "/don-vi/cay/mau-cay-don-vi.xlsx", "login 403 403 200 200"),  # tree.template
    ("GET", "/don-vi/cay/nhap", "/don-vi/cay/nhap", "login 403 403 200 200"),  # tree.import_upload
    ("POST", "/don-vi/cay/nhap", "/don-vi/cay/nhap", "login 403 403 422 422"),  # tree.import_upload
    ("GET", "/don-vi/cay/nhap/<token>", "/don-vi/cay/nhap/{token}", "login 403 403 404 404"),  # tree.import_preview
    ("POST", "/don-vi/cay/nhap/<token>", "/don-vi/cay/nhap/{token}", "login 403 403 404 404"),  # tree.import_preview
    # course owners: owners and the admin see them; only the admin changes them
    ("GET", "/soan-thao/khoa-hoc/<slug>/phu-trach", "/soan-thao/khoa-hoc/{slug}/phu-trach", "login 403 200 403 200"),  # authoring.course_owners
    ("POST", "/soan-thao/khoa-hoc/<slug>/phu-trach", "/soan-thao/khoa-hoc/{slug}/phu-trach", "login 403 403 403 422"),  # authoring.course_owners
    ("POST", "/soan-thao/khoa-hoc/<slug>/phu-trach/<int:user_id>/bo", "/soan-thao/khoa-hoc/{slug}/phu-trach/{trainer}/bo", "login 403 403 403 302"),  # authoring.remove_course_owner
    # the legal register: authors' (trainers and the admin); an empty form is refused with 400
    ("GET", "/soan-thao/van-ban/", "/soan-thao/van-ban/", "login 403 200 403 200"),  # legal.index
    ("GET", "/soan-thao/van-ban/<code>", "/soan-thao/van-ban/{doc}", "login 403 200 403 200"),  # legal.edit
    ("POST", "/soan-thao/van-ban/<code>", "/soan-thao/van-ban/{doc}", "login 403 400 403 400"),  # legal.edit
    ("GET", "/soan-thao/van-ban/<code>/thay-doi", "/soan-thao/van-ban/{doc}/thay-doi", "login 403 200 403 200"),  # legal.amend
    ("POST", "/soan-thao/van-ban/<code>/thay-doi", "/soan-thao/van-ban/{doc}/thay-doi", "login 403 400 403 400"),  # legal.amend
    # question images: signed-in users, for a published course; the stored name is required
    ("GET", "/tep-cau-hoi/<int:file_id>/<path:name>", "/tep-cau-hoi/{image}/hinh.png", "login 200 200 200 200"),  # question_files.serve
    ("GET", "/static/<path:filename>", "/static/css/app.css", "200 200 200 200 200"),  # static
    ("GET", "/xac-minh/<token>", "/xac-minh/{cert}", "200 200 200 200 200"),  # certificates.verify
    # outside the unit manager's subtree: not found (its existence is not revealed)
    ("GET", "/don-vi/can-bo/<int:user_id>", "/don-vi/can-bo/{outsider}", "login 403 403 404 200"),  # org.officer
    ("POST", "/don-vi/can-bo/<int:user_id>/nghi", "/don-vi/can-bo/{outsider}/nghi", "login 403 403 404 302"),  # org.deactivate
    ("GET", "/bao-cao/bao-phu/<int:unit_id>", "/bao-cao/bao-phu/{other_unit}", "login 403 403 404 200"),  # reports.coverage
    ("GET", "/bao-cao/bao-phu/<int:unit_id>/can-bo", "/bao-cao/bao-phu/{other_unit}/can-bo", "login 403 403 404 200"),  # reports.officers
    ("GET", "/bao-cao/dinh-ky/<int:unit_id>/tai-ve.<fmt>", "/bao-cao/dinh-ky/{other_unit}/tai-ve.csv", "login 403 403 404 200"),  # reports.periodic_download
    ("POST", "/don-vi/can-bo/<int:user_id>/gui-loi-moi", "/don-vi/can-bo/{outsider}/gui-loi-moi", "login 403 403 404 302"),  # org.reissue_invite
    ("POST", "/don-vi/can-bo/<int:user_id>/phieu-kich-hoat", "/don-vi/can-bo/{outsider}/phieu-kich-hoat", "login 403 403 404 200"),  # org.reissue_code
    ("POST", "/don-vi/can-bo/<int:user_id>/vai-tro", "/don-vi/can-bo/{outsider}/vai-tro", "login 403 403 404 422"),  # org.grant_role
    ("POST", "/don-vi/can-bo/<int:user_id>/vai-tro/<int:grant_id>/thu-hoi", "/don-vi/can-bo/{outsider}/vai-tro/{outsider_grant}/thu-hoi", "login 403 403 404 302"),  # org.revoke_role
    ("GET", "/don-vi/cay/<int:unit_id>", "/don-vi/cay/{other_unit}", "login 403 403 404 200"),  # tree.unit
    ("POST", "/don-vi/cay/<int:unit_id>/doi-ten", "/don-vi/cay/{other_unit}/doi-ten", "login 403 403 404 422"),  # tree.rename
    ("POST", "/don-vi/cay/<int:unit_id>/chuyen", "/don-vi/cay/{other_unit}/chuyen", "login 403 403 404 422"),  # tree.move
    ("POST", "/don-vi/cay/<int:unit_id>/sap-nhap", "/don-vi/cay/{other_unit}/sap-nhap", "login 403 403 404 422"),  # tree.merge
    ("POST", "/don-vi/cay/<int:unit_id>/dong", "/don-vi/cay/{other_unit}/dong", "login 403 403 404 422"),  # tree.close
    # not found for everyone who may ask: a wrong link, another person's attempt, a wrong name
    ("GET", "/kich-hoat/<token>", "/kich-hoat/{token}", "404 404 404 404 404"),  # auth.activate_link
    ("GET", "/dat-lai-mat-khau/<token>", "/dat-lai-mat-khau/{invite}", "404 404 404 404 404"),  # auth.reset
    # an image of a course not yet published: its owners and the admin only
    ("GET", "/tep-cau-hoi/<int:file_id>/<path:name>", "/tep-cau-hoi/{draft_image}/nhap.png", "login 404 200 404 200"),  # question_files.serve
    ("GET", "/tep-cau-hoi/<int:file_id>/<path:name>", "/tep-cau-hoi/{image}/khac.png", "login 404 404 404 404"),  # question_files.serve
    ("GET", "/soan-thao/van-ban/<code>", "/soan-thao/van-ban/khong-co", "login 403 404 403 404"),  # legal.edit
]
# fmt: on


def _classify(response) -> str:
    if response.status_code in (301, 302, 303):
        location = response.headers.get("Location", "")
        return "login" if location.startswith("/?next=") or location == "/" else "302"
    return str(response.status_code)


def _routes_of(app) -> dict[tuple[str, str], str]:
    return {
        (method, rule.rule): rule.endpoint
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def missing_lines(app) -> list[str]:
    listed = {(method, rule) for method, rule, _path, _expected in ROUTES}
    routes = _routes_of(app)
    return sorted(f"{m} {r} ({routes[(m, r)]})" for m, r in routes.keys() - listed)


def test_every_route_has_a_line(app):
    missing = missing_lines(app)
    assert not missing, (
        "routes without a line in ROUTES (tests/security/test_route_matrix.py):\n"
        + "\n".join(missing)
    )
    listed = {(method, rule) for method, rule, _path, _expected in ROUTES}
    stale = sorted(f"{m} {r}" for m, r in listed - _routes_of(app).keys())
    assert not stale, "lines in ROUTES for routes that no longer exist:\n" + "\n".join(stale)


def test_a_new_route_without_a_line_is_reported():
    from app import create_app
    from tests.conftest import _test_config

    other = create_app(_test_config())
    other.add_url_rule("/trang-moi/<int:n>", "moi.trang", lambda n: "", methods=["GET", "POST"])
    assert missing_lines(other) == [
        "GET /trang-moi/<int:n> (moi.trang)",
        "POST /trang-moi/<int:n> (moi.trang)",
    ]


@pytest.mark.parametrize(
    "method, rule, path, expected", ROUTES, ids=[f"{m} {p}" for m, _r, p, _e in ROUTES]
)
def test_each_role_gets_its_answer(world, role_client, method, rule, path, expected):
    concrete = path.format(**world["ids"])
    answers = []
    for role in ROLES:
        response = role_client(role).open(concrete, method=method, data={})
        answers.append(_classify(response))
    assert " ".join(answers) == expected, dict(zip(ROLES, answers, strict=True))


# Authoring and the bank are for a course's owners and the province admin: a trainer who does
# not own the course gets 403 on every route naming it, and nothing changes.
NOT_OWNED = [
    (method, path)
    for method, rule, path, _expected in ROUTES
    if "<slug>" in rule and rule.startswith(("/soan-thao/khoa-hoc/", "/ngan-hang/"))
]


def test_the_owner_lines_are_found():
    assert len(NOT_OWNED) >= 25
    assert ("POST", "/soan-thao/khoa-hoc/{slug}/xuat-ban") in NOT_OWNED
    assert ("POST", "/ngan-hang/{slug}/nhap") in NOT_OWNED


@pytest.mark.parametrize("method, path", NOT_OWNED, ids=[f"{m} {p}" for m, p in NOT_OWNED])
def test_a_trainer_who_does_not_own_the_course_gets_403(world, role_client, method, path):
    from tests.security.test_csrf import _snapshot

    client = role_client("other_trainer")
    before = _snapshot()
    response = client.open(path.format(**world["ids"]), method=method, data={})
    assert response.status_code == 403
    assert _snapshot() == before


def test_a_trainer_who_does_not_own_an_unpublished_course_does_not_see_its_images(
    world, role_client
):
    path = "/tep-cau-hoi/{draft_image}/nhap.png".format(**world["ids"])
    assert role_client("trainer").get(path).status_code == 200  # its owner
    assert role_client("other_trainer").get(path).status_code == 404
