from django.urls import path

from kehu.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/timeline/", views.customer_timeline, name="timeline"),
    path("<int:customer_id>/edit/", views.customer_edit, name="edit"),
    path("<int:customer_id>/unmask/", views.customer_unmask, name="unmask"),
    path("<int:customer_id>/licences/", views.licence_add, name="licence_add"),
    path("<int:customer_id>/contracts/", views.contract_file, name="contract_file"),
    path("<int:customer_id>/agreements/", views.agreement_sign, name="agreement_sign"),
    path("<int:customer_id>/contacts/", views.contact_add, name="contact_add"),
    path("<int:customer_id>/contacts/<int:contact_id>/remove/", views.contact_remove, name="contact_remove"),
    path("<int:customer_id>/documents/", views.document_upload, name="document_upload"),
    path("<int:customer_id>/group/", views.join_group, name="join_group"),
    path("<int:customer_id>/applications/", views.application_create, name="application_create"),
    path("<int:customer_id>/activate/", views.customer_activate, name="activate"),
    path("<int:customer_id>/terminate/", views.customer_terminate, name="terminate"),
    path("<int:customer_id>/exit/", views.customer_exit, name="exit"),
    path("documents/<int:document_id>/", views.document_download, name="document"),
    path("consents/<int:consent_id>/", views.consent_record, name="consent"),
    path("applications/<int:application_id>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:application_id>/submit/", views.application_submit, name="application_submit"),
    path("applications/<int:application_id>/sales-check/", views.application_sales_check, name="sales_check"),
    path("applications/<int:application_id>/office-review/", views.application_office_review,
         name="office_review"),
    path("applications/<int:application_id>/opinion/", views.application_opinion, name="opinion"),
    path("applications/<int:application_id>/vote/", views.application_vote, name="vote"),
    path("applications/<int:application_id>/return/", views.application_return, name="return"),
    path("groups/", views.group_list, name="groups"),
    path("groups/<int:group_id>/", views.group_detail, name="group"),
    path("groups/<int:group_id>/members/", views.group_add_member, name="group_add_member"),
    path("groups/<int:group_id>/members/<int:customer_id>/remove/", views.group_remove_member,
         name="group_remove_member"),
]
