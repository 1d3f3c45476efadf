from django.contrib import admin

from taizhang.notifications.models import Contact


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["user", "mobile", "mail", "sms"]
    list_filter = ["mail", "sms"]
    search_fields = ["user__username", "user__first_name", "mobile"]
    autocomplete_fields = ["user"]
